import type { Control } from '../types.js';
import { accessOutcome } from './lockout.js';

export const accessCollectorRole: Control = {
  id: 'ACCESS-COLLECTOR-ROLE',
  title: 'Distributor can assume the collector role (no lockout)',
  category: 'access',
  severity: 'critical',
  runsWithoutAccess: true,
  rationale:
    'If the distributor cannot assume its role in the payer it is locked out of an account it pays for, and nothing else about the payer can be seen. A denial here is itself the finding, never an unknown. Throttling, timeouts, 5xx and network errors say nothing about the role: access is then unverified (unknown), retried, and never counted as a lockout.',
  remediation:
    "In the payer account restore the collector role from the distributor's governance stack: the role must exist with the agreed name, trust the distributor hub account with the agreed ExternalId condition, and keep its read-only policies. Ask the distributor for the current template if the stack was deleted.",
  references: [
    {
      title: 'How to use an external ID when granting access to your AWS resources',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html',
    },
  ],
  evidence: ['access'],
  // The failed call's AWS request ids stay with the run's evidence: a finding naming them would be new on every run of
  // the same lockout (findings are stored once per distinct content).
  evaluate(ev) {
    const a = ev.access;
    if (a.status !== 'ok' && accessOutcome(a) === 'unverified') {
      return [
        {
          status: 'unknown',
          message: `Access unverified: ${a.api} failed with ${a.errorCode} (${a.status}), which is not a denial; the payer is retried and this is not a lockout. ${a.message}`,
          evidence: {
            lockout: false,
            accessUnverified: true,
            api: a.api,
            callStatus: a.status,
            errorCode: a.errorCode,
            error: a.message,
          },
        },
      ];
    }
    if (a.status !== 'ok') {
      return [
        {
          status: 'fail',
          message: `Lockout: the collector role could not be assumed (${a.errorCode}): ${a.message}`,
          evidence: {
            lockout: true,
            api: a.api,
            callStatus: a.status,
            errorCode: a.errorCode,
            error: a.message,
          },
        },
      ];
    }
    if (a.data.accountId !== ev.payerAccountId) {
      return [
        {
          status: 'fail',
          message: `The collector role answered from account ${a.data.accountId}, not from payer ${ev.payerAccountId}: the registered role ARN points at the wrong account.`,
          evidence: {
            lockout: true,
            roleArn: a.data.roleArn,
            assumedRoleArn: a.data.assumedRoleArn,
            accountId: a.data.accountId,
          },
        },
      ];
    }
    return [
      {
        status: 'pass',
        message: `Collector role ${a.data.roleArn} was assumed.`,
        evidence: { roleArn: a.data.roleArn, assumedRoleArn: a.data.assumedRoleArn, accountId: a.data.accountId },
      },
    ];
  },
};
