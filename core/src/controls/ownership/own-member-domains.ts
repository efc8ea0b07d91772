import { emailDomain, isDistributorDomain, organizationStanding, unknownFor } from '../helpers.js';
import type { Control } from '../types.js';

export const ownMemberDomains: Control = {
  id: 'OWN-MEMBER-DOMAINS',
  title: 'Member account email domains (reported)',
  category: 'ownership',
  severity: 'low',
  rationale:
    'Under the end customer account model member accounts may belong to the end customer, so their domains are not a failure; the distributor still needs to see who holds the root email of each account it pays for.',
  remediation:
    'No action is required for end customer accounts. If a member account should be held by the distributor or the partner, change its root email to a mailbox on the right domain.',
  references: [
    {
      title: 'AWS Solution Provider Program: end customer account model',
      url: 'https://aws.amazon.com/partners/programs/solution-provider/',
    },
  ],
  evidence: ['organizations.accounts'],
  evaluate(ev, { settings }) {
    const call = ev.organizations?.accounts;
    const standing = organizationStanding(ev);
    if (standing === 'standalone')
      return [
        {
          status: 'pass',
          message: `Payer ${ev.payerAccountId} is in no organization, so it has no member accounts.`,
          evidence: { members: 0, reason: 'not in an organization' },
        },
      ];
    if (standing === 'member' && call?.status !== 'ok') {
      const org = ev.organizations?.organization;
      return [
        {
          status: 'unknown',
          message: `Payer ${ev.payerAccountId} is a member of another organization; only its management account can list the member accounts (see OWN-PAYER-IS-MANAGEMENT).`,
          evidence: {
            reason: 'not the management account',
            ...(org?.status === 'ok'
              ? { organizationId: org.data.id, managementAccountId: org.data.masterAccountId }
              : {}),
          },
        },
      ];
    }
    if (call?.status !== 'ok') return [unknownFor(call, 'the member accounts')];
    const members = call.data.filter((a) => a.id !== ev.payerAccountId);
    const byDomain = new Map<string, string[]>();
    for (const m of members) {
      const d = emailDomain(m.email) || '(none)';
      byDomain.set(d, [...(byDomain.get(d) ?? []), m.id]);
    }
    const external = [...byDomain.entries()]
      .filter(([d]) => !isDistributorDomain(d, settings))
      .map(([domain, accountIds]) => ({ domain, accounts: accountIds.length, accountIds: accountIds.slice(0, 50) }))
      .sort((a, b) => b.accounts - a.accounts);
    const domains = [...byDomain.entries()].map(([domain, ids]) => ({ domain, accounts: ids.length }));
    if (external.length === 0) {
      return [
        {
          status: 'pass',
          message: `All ${members.length} member accounts use distributor domains.`,
          evidence: { members: members.length, domains },
        },
      ];
    }
    const externalCount = external.reduce((n, e) => n + e.accounts, 0);
    return [
      {
        status: 'warn',
        severity: 'low',
        message: `${externalCount} of ${members.length} member accounts use non-distributor domains: ${external
          .slice(0, 5)
          .map((e) => `${e.domain} (${e.accounts})`)
          .join(', ')}${external.length > 5 ? ', ...' : ''}.`,
        evidence: { members: members.length, domains, externalDomains: external },
      },
    ];
  },
};
