import type { FindingRow, SnapshotRow } from './source.js';
import type { ExportAudience } from './types.js';

/** Worst first: an export reader's eye goes to the top. Unknown ranks above warn: "could not see" is not "fine". */
export const STATUS_RANK: Record<string, number> = { fail: 0, unknown: 1, warn: 2, suppressed: 3, pass: 4 };
export const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

const rank = (m: Record<string, number>, k: string) => m[k] ?? 9;

export function sortFindings(list: FindingRow[]): FindingRow[] {
  return [...list].sort(
    (a, b) =>
      rank(STATUS_RANK, a.status) - rank(STATUS_RANK, b.status) ||
      rank(SEVERITY_RANK, a.severity) - rank(SEVERITY_RANK, b.severity) ||
      a.controlId.localeCompare(b.controlId) ||
      a.resource.localeCompare(b.resource),
  );
}

/** One partner x control: the worst verdict over its payers and resources. */
export interface ControlRollup {
  controlId: string;
  title: string;
  severity: string;
  status: string;
  findings: number;
  failing: number;
  payerAccountIds: string[];
  /** Resources that are not passing, so a reader sees where to look. */
  resources: string[];
  message: string;
}

export function rollupByControl(list: FindingRow[]): ControlRollup[] {
  const by = new Map<string, FindingRow[]>();
  for (const f of list) {
    const l = by.get(f.controlId);
    if (l) l.push(f);
    else by.set(f.controlId, [f]);
  }
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([controlId, fs]) => {
      const worst = sortFindings(fs)[0]!;
      return {
        controlId,
        title: worst.title,
        severity: worst.severity,
        status: worst.status,
        findings: fs.length,
        failing: fs.filter((f) => f.status === 'fail').length,
        payerAccountIds: [...new Set(fs.map((f) => f.payerAccountId))],
        resources: [...new Set(fs.filter((f) => f.status !== 'pass' && f.resource).map((f) => f.resource))],
        message: worst.message,
      };
    });
}

const MONEY_KEY = /spend|margin|cost|amount|price|revenue|invoice|usd/i;
const MONEY_TEXT = /(?:US)?\$\s?\d[\d,]*(?:\.\d+)?(?:\s?[kKmM])?|\b\d[\d,]*(?:\.\d+)?\s?USD\b/g;

/** Removes every money value from evidence for partner-audience exports (keys by name, amounts in text). */
export function redactMoney(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactMoney);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      out[k] = MONEY_KEY.test(k) ? '[redacted]' : redactMoney(v);
    return out;
  }
  if (typeof value === 'string') return value.replace(MONEY_TEXT, '[redacted]');
  return value;
}

/** What an audience may see of a page: partner exports lose spend and money amounts, nothing else changes. */
export function forAudience(
  audience: ExportAudience,
  snap: SnapshotRow,
  findings: FindingRow[],
): { snap: SnapshotRow; findings: FindingRow[] } {
  if (audience === 'distributor') return { snap, findings };
  return {
    snap: {
      ...snap,
      monthlySpend: null,
      changes: redactMoney(snap.changes),
      counts: redactMoney(snap.counts) as Record<string, unknown>,
    },
    findings: findings.map((f) => ({
      ...f,
      message: redactMoney(f.message) as string,
      evidence: redactMoney(f.evidence) as Record<string, unknown>,
    })),
  };
}
