import { unknownFor } from '../helpers.js';
import type { Control } from '../types.js';

export const rootMfa: Control = {
  id: 'ROOT-MFA',
  title: 'Root user has MFA',
  category: 'root',
  severity: 'critical',
  rationale:
    'Root is guarded by two parties: the distributor holds the root email and password recovery, the partner holds the MFA device. Without MFA whoever gets the password owns the payer.',
  remediation:
    'Sign in as root, open Security credentials and assign an MFA device (a hardware FIDO key is preferred, see ROOT-HARDWARE-MFA). Agree with the distributor who keeps the device.',
  references: [
    {
      title: 'Enable MFA for the root user',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html',
    },
  ],
  evidence: ['iam.accountSummary'],
  evaluate(ev) {
    const call = ev.iam?.accountSummary;
    if (call?.status !== 'ok') return [unknownFor(call, 'the account summary')];
    const v = call.data.AccountMFAEnabled;
    if (v === undefined)
      return [
        {
          status: 'unknown',
          message: 'GetAccountSummary did not report AccountMFAEnabled.',
          evidence: { summaryKeys: Object.keys(call.data) },
        },
      ];
    return [
      v === 1
        ? { status: 'pass', message: 'The root user has MFA enabled.', evidence: { AccountMFAEnabled: v } }
        : {
            status: 'fail',
            message: 'The root user has no MFA device (AccountMFAEnabled=0).',
            evidence: { AccountMFAEnabled: v },
          },
    ];
  },
};
