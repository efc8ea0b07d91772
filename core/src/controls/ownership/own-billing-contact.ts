import { emailDomain, isDistributorDomain, unknownFor } from '../helpers.js';
import type { Control } from '../types.js';

export const ownBillingContact: Control = {
  id: 'OWN-BILLING-CONTACT',
  title: 'Billing alternate contact is the distributor',
  category: 'ownership',
  severity: 'medium',
  rationale:
    'AWS sends invoices, payment and billing notices to the billing alternate contact. The distributor carries the financial risk of the payer and must receive them.',
  remediation:
    "In the payer account open Account > Alternate contacts (or run `aws account put-alternate-contact --alternate-contact-type BILLING`) and set the billing contact to the distributor's billing team on the distributor domain.",
  references: [
    {
      title: 'Update the alternate contacts for your AWS account',
      url: 'https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact-alternate.html',
    },
  ],
  evidence: ['account.alternateContacts'],
  evaluate(ev, { settings }) {
    const call = ev.account?.alternateContacts.BILLING;
    if (call?.status !== 'ok')
      return [unknownFor(call, 'the billing alternate contact', 'account:GetAlternateContact')];
    const c = call.data;
    if (!c) {
      return [
        {
          status: 'fail',
          message: 'No billing alternate contact is set: billing notices go to the root email only.',
          evidence: { billingContact: null, distributorDomains: settings.domains },
        },
      ];
    }
    const domain = emailDomain(c.emailAddress);
    const owned = isDistributorDomain(domain, settings);
    return [
      {
        status: owned ? 'pass' : 'fail',
        message: owned
          ? `Billing contact ${c.emailAddress} is on the distributor domain ${domain}.`
          : `Billing contact ${c.name} <${c.emailAddress}> is not on a distributor domain (${settings.domains.join(', ')}).`,
        evidence: {
          billingContactName: c.name,
          billingContactEmail: c.emailAddress,
          domain,
          distributorDomains: settings.domains,
        },
      },
    ];
  },
};
