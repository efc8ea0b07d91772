import { rootArnFor, unknownFor } from '../helpers.js';
import type { Control } from '../types.js';

export const rootHardwareMfa: Control = {
  id: 'ROOT-HARDWARE-MFA',
  title: 'Root MFA is a hardware device, not a virtual one',
  category: 'root',
  severity: 'medium',
  rationale:
    'A virtual MFA seed can be copied to any phone without anyone noticing; a hardware key is one physical object whose holder is known, which is what two-party custody of root relies on.',
  remediation:
    'Sign in as root, register a FIDO2 security key or hardware TOTP token under Security credentials, then remove the virtual MFA device.',
  references: [
    {
      title: 'Hardware MFA for the root user (CIS AWS 1.6)',
      url: 'https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-6',
    },
  ],
  evidence: ['iam.accountSummary', 'iam.virtualMfaDevices'],
  evaluate(ev) {
    const summary = ev.iam?.accountSummary;
    const devices = ev.iam?.virtualMfaDevices;
    if (summary?.status !== 'ok') return [unknownFor(summary, 'the account summary')];
    if (devices?.status !== 'ok') return [unknownFor(devices, 'the virtual MFA devices')];
    const rootArn = rootArnFor(ev.payerAccountId);
    const virtual = devices.data.filter((d) => d.userArn === rootArn);
    if (summary.data.AccountMFAEnabled !== 1) {
      return [
        {
          status: 'fail',
          message: 'The root user has no MFA at all, so no hardware MFA.',
          evidence: { AccountMFAEnabled: summary.data.AccountMFAEnabled ?? null },
        },
      ];
    }
    if (virtual.length > 0) {
      return [
        {
          status: 'fail',
          message: `Root MFA is a virtual device (${virtual.map((d) => d.serialNumber).join(', ')}).`,
          evidence: {
            rootArn,
            virtualDevices: virtual.map((d) => ({ serialNumber: d.serialNumber, enableDate: d.enableDate ?? null })),
          },
        },
      ];
    }
    return [
      {
        status: 'pass',
        message: 'Root MFA is enabled and no virtual MFA device is assigned to root.',
        evidence: { rootArn, AccountMFAEnabled: 1 },
      },
    ];
  },
};
