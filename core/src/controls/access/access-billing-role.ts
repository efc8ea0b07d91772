import { unknownFor } from '../helpers.js';
import type { Control } from '../types.js';

export const accessBillingRole: Control = {
  id: 'ACCESS-BILLING-ROLE',
  title: 'Billing-admin role exists and trusts the distributor hub',
  category: 'access',
  severity: 'high',
  rationale:
    'The distributor re-bills through its billing-admin role in the payer. Without it, or if it trusts someone else, the distributor cannot manage the billing it is liable for.',
  remediation:
    'Redeploy the distributor governance stack in the payer so that the billing-admin role exists under its agreed name and its trust policy allows only the distributor hub account to assume it.',
  references: [
    {
      title: 'Modifying a role trust policy',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/roles-managingrole-editing-console.html#roles-managingrole_edit-trust-policy',
    },
  ],
  evidence: ['billingRole'],
  evaluate(ev, { settings }) {
    const call = ev.billingRole;
    if (call?.status !== 'ok') return [unknownFor(call, 'the billing-admin role', 'iam:GetRole')];
    const r = call.data;
    const evidence = {
      roleArn: r.roleArn,
      exists: r.exists,
      trustsDistributor: r.trustsDistributor,
      hubAccountId: settings.hubAccountId,
    };
    if (!r.exists) return [{ status: 'fail', message: `Billing-admin role ${r.roleArn} does not exist.`, evidence }];
    if (!r.trustsDistributor) {
      return [
        {
          status: 'fail',
          message: `Billing-admin role ${r.roleArn} does not trust the distributor hub ${settings.hubAccountId}.`,
          evidence: { ...evidence, trustPolicy: r.trustPolicy ?? null },
        },
      ];
    }
    return [
      {
        status: 'pass',
        message: `Billing-admin role ${r.roleArn} exists and trusts the hub ${settings.hubAccountId}.`,
        evidence,
      },
    ];
  },
};
