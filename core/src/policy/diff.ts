import type { PolicyDocument } from '../evidence/types.js';

/**
 * Statement-level comparison of two policy documents, ignoring what IAM ignores: the order of statements and of
 * values in Action / Resource lists, a single value written as a one-element list, the case of action names and of
 * condition operators and keys.
 */

export interface NormalStatement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

export interface StatementChange {
  /** The Sid, or "#<n>" (1-based position) for a statement without one. */
  statement: string;
  change: 'added' | 'removed' | 'changed';
  /** One line per difference, e.g. "Action: - ce:Get*" or "+ Allow s3:GetObject on *". */
  lines: string[];
}

export interface PolicyDiff {
  equal: boolean;
  changes: StatementChange[];
  /** The whole diff as text: one "- ", "+ " or "~ " line per statement, details indented below. */
  text: string;
}

const list = (v: unknown): string[] | undefined =>
  v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map((x) => String(x));
const sorted = (xs: string[] | undefined, lower = false) =>
  xs ? [...new Set(xs.map((x) => (lower ? x.toLowerCase() : x)))].sort() : undefined;

function normalCondition(c: unknown): NormalStatement['Condition'] {
  if (!c || typeof c !== 'object') return undefined;
  const out: Record<string, Record<string, string[]>> = {};
  for (const [op, block] of Object.entries(c as Record<string, unknown>)) {
    const b: Record<string, string[]> = {};
    for (const [k, v] of Object.entries((block ?? {}) as Record<string, unknown>))
      b[k.toLowerCase()] = sorted(list(v)) ?? [];
    out[op.toLowerCase()] = Object.fromEntries(Object.entries(b).sort(([a], [z]) => (a < z ? -1 : 1)));
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [z]) => (a < z ? -1 : 1)));
}

export function statementsOf(doc: PolicyDocument | null | undefined): unknown[] {
  const s = doc?.Statement;
  return Array.isArray(s) ? s : s === undefined || s === null ? [] : [s];
}

export function normalizeStatement(raw: unknown): NormalStatement {
  const s = (raw ?? {}) as Record<string, unknown>;
  const n: NormalStatement = { Effect: String(s.Effect ?? '') };
  if (typeof s.Sid === 'string' && s.Sid) n.Sid = s.Sid;
  if (s.Principal !== undefined) n.Principal = s.Principal;
  if (s.NotPrincipal !== undefined) n.NotPrincipal = s.NotPrincipal;
  const a = sorted(list(s.Action), true);
  if (a) n.Action = a;
  const na = sorted(list(s.NotAction), true);
  if (na) n.NotAction = na;
  const r = sorted(list(s.Resource));
  if (r) n.Resource = r;
  const nr = sorted(list(s.NotResource));
  if (nr) n.NotResource = nr;
  const c = normalCondition(s.Condition);
  if (c && Object.keys(c).length) n.Condition = c;
  return n;
}

const canon = (n: NormalStatement) => JSON.stringify({ ...n, Sid: undefined });

function summary(n: NormalStatement): string {
  const acts = n.Action ? n.Action.join(', ') : `everything except ${n.NotAction?.join(', ')}`;
  const res = n.Resource ? n.Resource.join(', ') : `everything except ${n.NotResource?.join(', ')}`;
  const cond = n.Condition ? ` when ${JSON.stringify(n.Condition)}` : '';
  return `${n.Effect} ${acts} on ${res}${cond}`;
}

function fieldLines(a: NormalStatement, b: NormalStatement): string[] {
  const lines: string[] = [];
  if (a.Effect !== b.Effect) lines.push(`Effect: ${a.Effect} -> ${b.Effect}`);
  for (const f of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
    const before = new Set(a[f] ?? []);
    const after = new Set(b[f] ?? []);
    const removed = [...before].filter((x) => !after.has(x));
    const added = [...after].filter((x) => !before.has(x));
    if (removed.length) lines.push(`${f}: - ${removed.join(', ')}`);
    if (added.length) lines.push(`${f}: + ${added.join(', ')}`);
  }
  const ca = JSON.stringify(a.Condition ?? {});
  const cb = JSON.stringify(b.Condition ?? {});
  if (ca !== cb) lines.push(`Condition: ${ca} -> ${cb}`);
  if (JSON.stringify(a.Principal ?? null) !== JSON.stringify(b.Principal ?? null)) lines.push('Principal changed');
  return lines;
}

/** How `deployed` differs from `approved`. */
export function diffPolicies(
  approved: PolicyDocument | null | undefined,
  deployed: PolicyDocument | null | undefined,
): PolicyDiff {
  const A = statementsOf(approved).map(normalizeStatement);
  const D = statementsOf(deployed).map(normalizeStatement);
  const changes: StatementChange[] = [];
  const usedD = new Set<number>();
  const label = (n: NormalStatement, i: number) => n.Sid ?? `#${i + 1}`;

  A.forEach((a, i) => {
    // Same Sid first (a changed statement keeps its name); otherwise identical content without a Sid.
    let j = a.Sid ? D.findIndex((d, k) => !usedD.has(k) && d.Sid === a.Sid) : -1;
    if (j < 0) j = D.findIndex((d, k) => !usedD.has(k) && canon(d) === canon(a) && (!a.Sid || !d.Sid));
    if (j < 0) {
      changes.push({ statement: label(a, i), change: 'removed', lines: [`- ${summary(a)}`] });
      return;
    }
    usedD.add(j);
    const d = D[j] as NormalStatement;
    if (canon(d) !== canon(a)) changes.push({ statement: label(a, i), change: 'changed', lines: fieldLines(a, d) });
  });
  D.forEach((d, j) => {
    if (!usedD.has(j)) changes.push({ statement: label(d, j), change: 'added', lines: [`+ ${summary(d)}`] });
  });
  const versionChanged = (approved?.Version ?? '') !== (deployed?.Version ?? '');
  if (versionChanged)
    changes.push({
      statement: 'Version',
      change: 'changed',
      lines: [`Version: ${approved?.Version ?? '(none)'} -> ${deployed?.Version ?? '(none)'}`],
    });
  const mark = { added: '+', removed: '-', changed: '~' } as const;
  const text = changes
    .map((c) => [`${mark[c.change]} ${c.statement} (${c.change})`, ...c.lines.map((l) => `    ${l}`)].join('\n'))
    .join('\n');
  return { equal: changes.length === 0, changes, text };
}
