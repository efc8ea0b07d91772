import { emailDomain, isDistributorDomain, payerRootEmail, unknownFor } from '../helpers.js';
import type { Control } from '../types.js';

export const ownRootEmailDomain: Control = {
  id: 'OWN-ROOT-EMAIL-DOMAIN',
  title: 'Payer root email is on a distributor domain',
  category: 'ownership',
  severity: 'critical',
  rationale:
    'Whoever receives the root email can reset the root password and take the account. The distribution program requires the distributor to own the payer, and AWS support and pricing teams check ownership by the root email domain.',
  remediation:
    'Sign in as root of the payer account, open Account settings and change the root email address to a mailbox on the distributor domain (e.g. aws+<partner>@<distributor domain>); confirm the change from the verification email the distributor receives.',
  references: [
    {
      title: 'Update the root user email address',
      url: 'https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-root-user-email.html',
    },
  ],
  evidence: ['organizations.organization', 'organizations.accounts'],
  evaluate(ev, { settings }) {
    const org = ev.organizations?.organization;
    if (org?.status !== 'ok') return [unknownFor(org, 'the organization')];
    const { email, source } = payerRootEmail(ev);
    if (!email) {
      const accounts = ev.organizations?.accounts;
      if (accounts?.status !== 'ok') return [unknownFor(accounts, "the payer's account entry")];
      return [
        {
          status: 'unknown',
          message: `Could not find the root email of payer ${ev.payerAccountId}: it is neither the management account nor listed in the organization.`,
          evidence: { payerAccountId: ev.payerAccountId, managementAccountId: org.data.masterAccountId },
        },
      ];
    }
    const domain = emailDomain(email);
    const owned = isDistributorDomain(domain, settings);
    return [
      {
        status: owned ? 'pass' : 'fail',
        message: owned
          ? `Root email ${email} is on the distributor domain ${domain}.`
          : `Root email ${email} is on ${domain || 'no domain'}, not on a distributor domain (${settings.domains.join(', ')}).`,
        evidence: { rootEmail: email, domain, distributorDomains: settings.domains, source },
      },
    ];
  },
};
