import type { Finding, FindingStatus, Severity } from '../controls/types.js';

/** A finding of one payer with only what scoring reads set: the control, its severity and status. */
export const finding = (
  controlId: string,
  severity: Severity,
  status: FindingStatus,
  extra: Partial<Finding> = {},
): Finding => ({
  controlId,
  title: controlId,
  category: 'root',
  partnerId: 'p',
  payerAccountId: '222222222222',
  resource: '',
  status,
  severity,
  message: '',
  evidence: {},
  remediation: '',
  ...extra,
});
