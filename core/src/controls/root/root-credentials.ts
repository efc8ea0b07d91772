import type { PayerEvidence } from '../../evidence/types.js';
import { isTrue, rootReportRow, unknownFor } from '../helpers.js';
import type { ControlResult } from '../types.js';

/**
 * IAM keeps a credential report for 4 hours: GenerateCredentialReport does not regenerate a younger one, and after 4
 * hours GetCredentialReport answers ReportExpired. A report older than that describes the past, not the account.
 */
export const CREDENTIAL_REPORT_STALE_HOURS = 4;

/** Age of the credential report at evaluation time, in hours, or undefined when its GeneratedTime is not known. */
export function credentialReportAgeHours(ev: PayerEvidence, now: Date): number | undefined {
  const at = ev.iam?.credentialReportGeneratedTime;
  const t = at ? Date.parse(at) : Number.NaN;
  return Number.isNaN(t) ? undefined : Math.max(0, (now.getTime() - t) / 3_600_000);
}

/**
 * Root access keys and signing certificates are seen by two sources. GetAccountSummary's flag is live (read during
 * this collection) and decides when it could be read: a present key fails, none passes. The credential report's
 * root row adds which key is active; it decides only when the summary could not be read, and then only if it is
 * fresh (a stale report can show a failure, with its age, but never proves there is none).
 */
export function rootCredentialVerdict(
  ev: PayerEvidence,
  what: string,
  summaryKey: string,
  reportKeys: string[],
  now: Date,
): ControlResult {
  const summary = ev.iam?.accountSummary;
  const report = ev.iam?.credentialReport;
  const fromSummary = summary?.status === 'ok' ? summary.data[summaryKey] : undefined;
  const root = report?.status === 'ok' ? rootReportRow(report.data) : undefined;
  const activeInReport = root ? reportKeys.filter((k) => isTrue(root[k])) : [];
  const ageHours = credentialReportAgeHours(ev, now);
  const stale = ageHours !== undefined && ageHours > CREDENTIAL_REPORT_STALE_HOURS;
  const reportAge =
    ageHours === undefined
      ? ''
      : ` (credential report generated ${ev.iam?.credentialReportGeneratedTime}, ${ageHours.toFixed(1)} h old${stale ? `: stale, older than ${CREDENTIAL_REPORT_STALE_HOURS} h` : ''})`;
  const reportRoot = root ? Object.fromEntries(reportKeys.map((k) => [k, root[k] ?? null])) : null;
  if (fromSummary !== undefined) {
    // The live summary decides, so the report's time and age say nothing about the verdict; naming them would make
    // the finding new with every report IAM generates (at least one a day on a daily schedule).
    const live = { [summaryKey]: fromSummary, credentialReportRoot: reportRoot, decidedBy: 'iam:GetAccountSummary' };
    if (fromSummary > 0)
      return {
        status: 'fail',
        message: `The root user has ${what} (GetAccountSummary ${summaryKey}=${fromSummary}${activeInReport.length ? `; credential report: ${activeInReport.join(', ')}` : ''}).`,
        evidence: { ...live, activeInReport },
      };
    return {
      status: 'pass',
      message: `The root user has no ${what} (GetAccountSummary ${summaryKey}=0, read live).`,
      evidence: live,
    };
  }
  const evidence: Record<string, unknown> = {
    [summaryKey]: null,
    credentialReportRoot: reportRoot,
    credentialReportGeneratedTime: ev.iam?.credentialReportGeneratedTime ?? null,
    credentialReportStale: stale,
    decidedBy: root ? 'iam:GetCredentialReport' : null,
  };
  if (summary && summary.status === 'ok')
    return { status: 'unknown', message: `GetAccountSummary did not report ${summaryKey}.`, evidence };
  // The live summary could not be read: fall back to the credential report.
  if (activeInReport.length > 0)
    return {
      status: 'fail',
      message: `The root user has active ${what} (credential report ${activeInReport.join(', ')})${reportAge}.`,
      evidence: { ...evidence, activeInReport },
    };
  const unreadable = unknownFor(summary, 'the account summary');
  if (report?.status !== 'ok') {
    const r = unknownFor(report, 'the credential report');
    return {
      ...unreadable,
      message: `${unreadable.message} ${r.message}`,
      evidence: { ...unreadable.evidence, ...evidence },
    };
  }
  if (!root) return { status: 'unknown', message: 'The credential report has no <root_account> row.', evidence };
  if (stale || ageHours === undefined)
    return {
      status: 'unknown',
      message: `${unreadable.message} The credential report shows no ${what}, but it cannot prove there are none${reportAge || ' (its GeneratedTime is unknown)'}.`,
      evidence: { ...unreadable.evidence, ...evidence },
    };
  return {
    status: 'pass',
    message: `The root user has no ${what} according to the credential report${reportAge}; GetAccountSummary could not be read.`,
    evidence: { ...evidence, summaryError: unreadable.evidence },
  };
}
