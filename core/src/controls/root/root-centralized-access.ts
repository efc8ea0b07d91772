import { ORGANIZATIONS_FEATURES_ANSWERS } from '../../evidence/types.js';
import { unknownFor } from '../helpers.js';
import type { Control } from '../types.js';

const REQUIRED = ['RootCredentialsManagement', 'RootSessions'];

export const rootCentralizedAccess: Control = {
  id: 'ROOT-CENTRALIZED-ACCESS',
  title: 'Centralized root access is enabled for member accounts',
  category: 'root',
  severity: 'low',
  rationale:
    'With centralized root access the member accounts hold no root credentials at all and privileged tasks run as short AssumeRoot sessions from the management account: fewer root secrets to guard.',
  remediation:
    'From the payer (management account) enable trusted access for IAM in Organizations, then run `aws iam enable-organizations-root-credentials-management` and `aws iam enable-organizations-root-sessions`.',
  references: [
    {
      title: 'Centrally manage root access for member accounts',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-enable-root-access.html',
    },
  ],
  evidence: ['iam.organizationsFeatures'],
  evaluate(ev) {
    const call = ev.iam?.organizationsFeatures;
    if (call?.status !== 'ok') return [unknownFor(call, 'organization root features')];
    const answered = call.data.answeredWith;
    if (answered) {
      return [
        {
          status: 'warn',
          message: `Centralized root access is not enabled: IAM answered ${answered} (${ORGANIZATIONS_FEATURES_ANSWERS[answered]}).`,
          evidence: { enabledFeatures: [], missing: REQUIRED, answeredWith: answered, api: call.api },
        },
      ];
    }
    const enabled = call.data.enabledFeatures;
    const missing = REQUIRED.filter((f) => !enabled.includes(f));
    return [
      missing.length === 0
        ? {
            status: 'pass',
            message: 'Centralized root access is on (RootCredentialsManagement, RootSessions).',
            evidence: { enabledFeatures: enabled },
          }
        : {
            status: 'warn',
            message: `Centralized root access is off: ${missing.join(' and ')} not enabled.`,
            evidence: { enabledFeatures: enabled, missing },
          },
    ];
  },
};
