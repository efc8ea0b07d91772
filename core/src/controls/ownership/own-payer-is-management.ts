import { ORG_NOT_IN_USE, unknownFor } from '../helpers.js';
import type { Control } from '../types.js';

export const ownPayerIsManagement: Control = {
  id: 'OWN-PAYER-IS-MANAGEMENT',
  title: 'Payer is the management account of its organization',
  category: 'ownership',
  severity: 'high',
  rationale:
    "The payer (Program Management Account) pays for every member only when it is the management account of the organization. A payer that is a member of someone else's organization means the bill, the SCPs and the root controls sit with another party.",
  remediation:
    "Move the partner's accounts under an organization whose management account is the distributor-owned payer: leave the foreign organization and invite the accounts from the payer, or register the correct payer account id with the distributor.",
  references: [
    {
      title: 'Managing the accounts in your organization',
      url: 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts.html',
    },
  ],
  evidence: ['organizations.organization'],
  evaluate(ev) {
    const org = ev.organizations?.organization;
    if (org && org.status !== 'ok' && org.errorCode === ORG_NOT_IN_USE) {
      // Organizations answered: this account is in no organization. That is a fact about the payer, not a denial.
      return [
        {
          status: 'fail',
          message: `Payer ${ev.payerAccountId} is not in any organization (${ORG_NOT_IN_USE}): it manages no member accounts and pays for none.`,
          evidence: { payerAccountId: ev.payerAccountId, organizationId: null, api: org.api, errorCode: org.errorCode },
        },
      ];
    }
    if (org?.status !== 'ok') return [unknownFor(org, 'the organization')];
    const isMgmt = org.data.masterAccountId === ev.payerAccountId;
    return [
      {
        status: isMgmt ? 'pass' : 'fail',
        message: isMgmt
          ? `Payer ${ev.payerAccountId} is the management account of ${org.data.id}.`
          : `Payer ${ev.payerAccountId} is not the management account of ${org.data.id}; the management account is ${org.data.masterAccountId}.`,
        evidence: {
          payerAccountId: ev.payerAccountId,
          organizationId: org.data.id,
          managementAccountId: org.data.masterAccountId,
          featureSet: org.data.featureSet,
        },
      },
    ];
  },
};
