import type { Control } from '../types.js';
import { rootCredentialVerdict } from './root-credentials.js';

export const rootNoSigningCerts: Control = {
  id: 'ROOT-NO-SIGNING-CERTS',
  title: 'Root user has no X.509 signing certificates',
  category: 'root',
  severity: 'high',
  rationale: 'A root signing certificate is a long-lived root credential outside MFA, like a root access key.',
  remediation:
    'Sign in as root, open Security credentials > X.509 certificates and delete every certificate; nothing current needs root signing certificates.',
  references: [
    {
      title: 'Managing X.509 signing certificates',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html',
    },
  ],
  evidence: ['iam.accountSummary', 'iam.credentialReport'],
  evaluate(ev, { now }) {
    return [
      rootCredentialVerdict(
        ev,
        'signing certificates',
        'AccountSigningCertificatesPresent',
        ['cert_1_active', 'cert_2_active'],
        now,
      ),
    ];
  },
};
