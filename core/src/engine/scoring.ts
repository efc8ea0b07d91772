import type { Finding, FindingStatus, Severity } from '../controls/types.js';

/**
 * Partner scoring. The formula and a worked example are in docs/scoring.md; keep the two in step.
 *
 * - Unit of scoring: one control on one payer. Its status is the worst of its non-suppressed findings
 *   (fail > unknown > warn > pass); if every finding of it is suppressed it leaves the score.
 * - Weight by the control's severity: critical 10, high 5, medium 3, low 1.
 * - Credit: pass 1, warn 0.5, fail 0, unknown 0 (a partner we cannot see must not look better than one we can).
 * - score = round(100 * sum(weight * credit) / sum(weight)); no scorable control at all = 0.
 * - Any critical control that failed, or that we could not see (unknown), caps the score at 60 (grade D at best):
 *   otherwise a partner hiding a critical control would outrank one that shows it failing. A lockout (collector
 *   role cannot be assumed) makes the score 0 (grade F). A failed or unknown high control caps it at 89 (grade B
 *   at best): an A means nothing critical or high is open.
 * - Grades: A >= 90, B >= 80, C >= 70, D >= 60, F < 60.
 */

/** The grades, best first: the one list exports, the API schemas and the overview use. */
export const GRADES = ['A', 'B', 'C', 'D', 'F'] as const;
export type Grade = (typeof GRADES)[number];

export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 10, high: 5, medium: 3, low: 1 };
export const STATUS_CREDIT: Record<Exclude<FindingStatus, 'suppressed'>, number> = {
  pass: 1,
  warn: 0.5,
  fail: 0,
  unknown: 0,
};
export const CRITICAL_CAP = 60;
export const HIGH_CAP = 89;
export const LOCKOUT_CONTROL_ID = 'ACCESS-COLLECTOR-ROLE';
const RANK: Record<Exclude<FindingStatus, 'suppressed'>, number> = { pass: 0, warn: 1, unknown: 2, fail: 3 };
const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export interface ScoreCounts {
  /** Findings by status (every row, suppressed included). */
  pass: number;
  fail: number;
  warn: number;
  unknown: number;
  suppressed: number;
  total: number;
  /** Failing findings by severity. */
  failBySeverity: Record<Severity, number>;
}

export interface PartnerScore {
  score: number;
  grade: Grade;
  counts: ScoreCounts;
  /** Control ids with a critical failure (distinct, sorted). */
  criticalFailures: string[];
  lockedOut: boolean;
}

export function gradeFor(score: number): Grade {
  if (score >= 90) return 'A';
  if (score >= 80) return 'B';
  if (score >= 70) return 'C';
  if (score >= 60) return 'D';
  return 'F';
}

export function countFindings(findings: Finding[]): ScoreCounts {
  const counts: ScoreCounts = {
    pass: 0,
    fail: 0,
    warn: 0,
    unknown: 0,
    suppressed: 0,
    total: findings.length,
    failBySeverity: { critical: 0, high: 0, medium: 0, low: 0 },
  };
  for (const f of findings) {
    counts[f.status] += 1;
    if (f.status === 'fail') counts.failBySeverity[f.severity] += 1;
  }
  return counts;
}

export function scorePartner(findings: Finding[]): PartnerScore {
  // One unit per (payer, control): many findings of one control (say, ten root events) weigh as one control.
  const units = new Map<string, { status: Exclude<FindingStatus, 'suppressed'>; severity: Severity }>();
  for (const f of findings) {
    if (f.status === 'suppressed') continue;
    const key = `${f.payerAccountId}|${f.controlId}`;
    const u = units.get(key);
    if (!u) units.set(key, { status: f.status, severity: f.severity });
    else {
      if (RANK[f.status] > RANK[u.status]) u.status = f.status;
      if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[u.severity]) u.severity = f.severity;
    }
  }
  let earned = 0;
  let possible = 0;
  for (const u of units.values()) {
    const w = SEVERITY_WEIGHT[u.severity];
    possible += w;
    earned += w * STATUS_CREDIT[u.status];
  }
  let score = possible === 0 ? 0 : Math.round((100 * earned) / possible);
  const criticalFailures = [
    ...new Set(findings.filter((f) => f.status === 'fail' && f.severity === 'critical').map((f) => f.controlId)),
  ].sort();
  const lockedOut = findings.some((f) => f.controlId === LOCKOUT_CONTROL_ID && f.status === 'fail');
  const open = (sev: Severity) =>
    [...units.values()].some((u) => u.severity === sev && (u.status === 'fail' || u.status === 'unknown'));
  if (open('high')) score = Math.min(score, HIGH_CAP);
  if (open('critical')) score = Math.min(score, CRITICAL_CAP);
  if (lockedOut) score = 0;
  return { score, grade: gradeFor(score), counts: countFindings(findings), criticalFailures, lockedOut };
}
