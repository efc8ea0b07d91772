import type { PayerEvidence } from '../../evidence/types.js';
import { isTrue, rootReportRow, unknownFor } from '../helpers.js';
import type { ControlResult } from '../types.js';

/**
 * Root access keys and signing certificates are seen by two sources: GetAccountSummary's flag and the root row of
 * the credential report. Either showing one is decisive; both must be readable to say there are none.
 */
export function rootCredentialVerdict(
  ev: PayerEvidence,
  what: string,
  summaryKey: string,
  reportKeys: string[],
): ControlResult {
  const summary = ev.iam?.accountSummary;
  const report = ev.iam?.credentialReport;
  const fromSummary = summary?.status === 'ok' ? summary.data[summaryKey] : undefined;
  const root = report?.status === 'ok' ? rootReportRow(report.data) : undefined;
  const activeInReport = root ? reportKeys.filter((k) => isTrue(root[k])) : [];
  const evidence: Record<string, unknown> = {
    [summaryKey]: fromSummary ?? null,
    credentialReportRoot: root ? Object.fromEntries(reportKeys.map((k) => [k, root[k] ?? null])) : null,
  };
  if ((fromSummary ?? 0) > 0 || activeInReport.length > 0) {
    const where = [
      (fromSummary ?? 0) > 0 ? `GetAccountSummary ${summaryKey}=${fromSummary}` : '',
      activeInReport.length ? `credential report ${activeInReport.join(', ')}` : '',
    ].filter(Boolean);
    return {
      status: 'fail',
      message: `The root user has active ${what} (${where.join('; ')}).`,
      evidence: { ...evidence, activeInReport },
    };
  }
  const unreadable =
    summary?.status !== 'ok'
      ? unknownFor(summary, 'the account summary')
      : report?.status !== 'ok'
        ? unknownFor(report, 'the credential report')
        : undefined;
  if (unreadable) return { ...unreadable, evidence: { ...unreadable.evidence, ...evidence } };
  if (fromSummary === undefined) {
    return { status: 'unknown', message: `GetAccountSummary did not report ${summaryKey}.`, evidence };
  }
  if (!root) return { status: 'unknown', message: 'The credential report has no <root_account> row.', evidence };
  return { status: 'pass', message: `The root user has no ${what}.`, evidence };
}
