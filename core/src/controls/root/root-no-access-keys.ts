import type { Control } from '../types.js';
import { rootCredentialVerdict } from './root-credentials.js';

export const rootNoAccessKeys: Control = {
  id: 'ROOT-NO-ACCESS-KEYS',
  title: 'Root user has no access keys',
  category: 'root',
  severity: 'critical',
  rationale:
    'A root access key is a permanent, MFA-free credential with every permission in the payer, including closing it and changing its owner.',
  remediation:
    'Sign in as root, open Security credentials > Access keys, deactivate and delete every root access key; move any automation that used it to an IAM role.',
  references: [
    {
      title: 'Delete access keys for the root user',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html',
    },
  ],
  evidence: ['iam.accountSummary', 'iam.credentialReport'],
  evaluate(ev, { now }) {
    return [
      rootCredentialVerdict(
        ev,
        'access keys',
        'AccountAccessKeysPresent',
        ['access_key_1_active', 'access_key_2_active'],
        now,
      ),
    ];
  },
};
