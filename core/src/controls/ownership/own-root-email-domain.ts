import { emailDomain, isDistributorDomain, organizationStanding, payerRootEmail, unknownFor } from '../helpers.js';
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
    const standing = organizationStanding(ev);
    if (standing === 'unknown') return [unknownFor(org, 'the organization')];
    const { email, source } = payerRootEmail(ev);
    if (!email && standing !== 'management') {
      // AWS shows an account's root email only to the management account of its organization (DescribeOrganization's
      // MasterAccountEmail for itself, ListAccounts / DescribeAccount / account:GetPrimaryEmail for members). A payer
      // outside an organization, or inside someone else's, cannot show it to us: say why rather than blame a denial.
      return [
        {
          status: 'unknown',
          message:
            standing === 'standalone'
              ? `Payer ${ev.payerAccountId} is in no organization, and AWS offers no API that shows an account's own root email outside an organization: confirm it by hand (see OWN-PAYER-IS-MANAGEMENT).`
              : `Payer ${ev.payerAccountId} is a member of another organization; only that organization's management account can read its root email (see OWN-PAYER-IS-MANAGEMENT).`,
          evidence: {
            payerAccountId: ev.payerAccountId,
            reason: standing === 'standalone' ? 'not in an organization' : 'not the management account',
            ...(org?.status === 'ok' ? { managementAccountId: org.data.masterAccountId } : {}),
          },
        },
      ];
    }
    if (org?.status !== 'ok') return [unknownFor(org, 'the organization')];
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
