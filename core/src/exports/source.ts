import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import type { PayerEvidence } from '../evidence/types.js';
import { type DistributorSettings, defaultSettings } from '../settings.js';
import type { ExportScope } from './types.js';

/**
 * Reads what exports need, in pages keyed by partner id, so a 10,000-partner export holds one page in memory at a
 * time. Raw SQL because the "latest snapshot per partner as of" lateral join is the whole point and must stay
 * index-driven (snapshots_partner_taken_idx) on PG15 and PGlite alike.
 */

export interface SnapshotRow {
  snapshotId: string;
  partnerId: string;
  partnerName: string;
  runId: string;
  takenAt: Date;
  score: number;
  grade: string;
  counts: Record<string, unknown>;
  criticalFailures: string[];
  lockedOut: boolean;
  monthlySpend: number | null;
  changes: unknown;
}

export interface FindingRow {
  id: number;
  partnerId: string;
  payerAccountId: string;
  controlId: string;
  resource: string;
  status: string;
  severity: string;
  title: string;
  message: string;
  evidence: Record<string, unknown>;
  suppressionId: string | null;
}

export interface HistoryPoint {
  takenAt: Date;
  score: number;
  grade: string;
}

type Row = Record<string, unknown>;

const rowsOf = (r: unknown): Row[] => ((r as { rows?: Row[] }).rows ?? (r as Row[])) as Row[];
const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

function toSnapshot(r: Row): SnapshotRow {
  return {
    snapshotId: String(r.id),
    partnerId: String(r.partner_id),
    partnerName: String(r.partner_name),
    runId: String(r.run_id),
    takenAt: toDate(r.taken_at),
    score: num(r.score),
    grade: String(r.grade),
    counts: json<Record<string, unknown>>(r.counts) ?? {},
    criticalFailures: json<string[]>(r.critical_failures) ?? [],
    lockedOut: r.locked_out === true || r.locked_out === 't',
    monthlySpend: r.monthly_spend === null || r.monthly_spend === undefined ? null : num(r.monthly_spend),
    changes: json<unknown>(r.changes),
  };
}

function snapshotFilter(scope: ExportScope, asOf: Date | undefined, cursor: string | null): { inner: SQL; outer: SQL } {
  const inner: SQL[] = [sql`s.partner_id = p.id`];
  if (asOf) inner.push(sql`s.taken_at <= ${asOf.toISOString()}::timestamptz`);
  const outer: SQL[] = [sql`true`];
  if (cursor !== null) outer.push(sql`p.id > ${cursor}`);
  if (scope.partnerId) outer.push(sql`p.id = ${scope.partnerId}`);
  if (scope.grades?.length) outer.push(sql`s.grade = any(${sql.param(scope.grades)}::text[])`);
  if (scope.failingControl)
    outer.push(
      sql`exists (select 1 from findings f where f.run_id = s.run_id and f.partner_id = s.partner_id and f.control_id = ${scope.failingControl} and f.status = 'fail')`,
    );
  return { inner: sql.join(inner, sql` and `), outer: sql.join(outer, sql` and `) };
}

/** Pages of the latest snapshot per partner in scope (as of a date), ordered by partner id. */
export async function* snapshotPages(
  db: Db,
  scope: ExportScope,
  asOf?: Date,
  pageSize = 500,
): AsyncGenerator<SnapshotRow[]> {
  let cursor: string | null = null;
  for (;;) {
    const { inner, outer } = snapshotFilter(scope, asOf, cursor);
    const res = await db.execute(sql`
      select s.id, s.partner_id, p.name as partner_name, s.run_id, s.taken_at, s.score, s.grade, s.counts,
             s.critical_failures, s.locked_out, s.monthly_spend, s.changes
      from partners p
      cross join lateral (
        select * from snapshots s where ${inner} order by s.taken_at desc, s.id desc limit 1
      ) s
      where ${outer}
      order by p.id
      limit ${pageSize}`);
    const page = rowsOf(res).map(toSnapshot);
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    cursor = page[page.length - 1]!.partnerId;
  }
}

export async function countSnapshots(db: Db): Promise<number> {
  const res = await db.execute(sql`select count(*)::int as n from snapshots`);
  return num(rowsOf(res)[0]?.n ?? 0);
}

const pairs = (snaps: SnapshotRow[]) => ({
  runIds: sql.param(snaps.map((s) => s.runId)),
  partnerIds: sql.param(snaps.map((s) => s.partnerId)),
});

/** The findings of each snapshot in the page, grouped by partner, worst first within a control. */
export async function findingsFor(db: Db, snaps: SnapshotRow[]): Promise<Map<string, FindingRow[]>> {
  const out = new Map<string, FindingRow[]>();
  if (snaps.length === 0) return out;
  const { runIds, partnerIds } = pairs(snaps);
  const res = await db.execute(sql`
    select f.id, f.partner_id, f.payer_account_id, f.control_id, f.resource, f.status, f.severity, f.title, f.message,
           f.evidence, f.suppression_id
    from unnest(${runIds}::text[], ${partnerIds}::text[]) as k(run_id, partner_id)
    join findings f on f.run_id = k.run_id and f.partner_id = k.partner_id
    order by f.partner_id, f.control_id, f.payer_account_id, f.resource, f.id`);
  for (const r of rowsOf(res)) {
    const f: FindingRow = {
      id: num(r.id),
      partnerId: String(r.partner_id),
      payerAccountId: String(r.payer_account_id),
      controlId: String(r.control_id),
      resource: String(r.resource ?? ''),
      status: String(r.status),
      severity: String(r.severity),
      title: String(r.title),
      message: String(r.message),
      evidence: json<Record<string, unknown>>(r.evidence) ?? {},
      suppressionId: r.suppression_id == null ? null : String(r.suppression_id),
    };
    const list = out.get(f.partnerId);
    if (list) list.push(f);
    else out.set(f.partnerId, [f]);
  }
  return out;
}

/** The raw evidence of each snapshot's run, one PayerEvidence per payer, grouped by partner. */
export async function evidenceFor(db: Db, snaps: SnapshotRow[]): Promise<Map<string, PayerEvidence[]>> {
  const out = new Map<string, PayerEvidence[]>();
  if (snaps.length === 0) return out;
  const { runIds, partnerIds } = pairs(snaps);
  const res = await db.execute(sql`
    select e.partner_id, e.data
    from unnest(${runIds}::text[], ${partnerIds}::text[]) as k(run_id, partner_id)
    join evidence e on e.run_id = k.run_id and e.partner_id = k.partner_id
    order by e.partner_id, e.payer_account_id`);
  for (const r of rowsOf(res)) {
    const id = String(r.partner_id);
    const ev = json<PayerEvidence>(r.data);
    const list = out.get(id);
    if (list) list.push(ev);
    else out.set(id, [ev]);
  }
  return out;
}

/** The last `limit` scores of each partner up to the snapshot exported, oldest first (for the PDF chart). */
export async function historyFor(db: Db, snaps: SnapshotRow[], limit = 24): Promise<Map<string, HistoryPoint[]>> {
  const out = new Map<string, HistoryPoint[]>();
  if (snaps.length === 0) return out;
  const res = await db.execute(sql`
    select k.partner_id, h.taken_at, h.score, h.grade
    from unnest(${sql.param(snaps.map((s) => s.partnerId))}::text[], ${sql.param(snaps.map((s) => s.takenAt.toISOString()))}::timestamptz[])
      as k(partner_id, upto)
    cross join lateral (
      select s.taken_at, s.score, s.grade from snapshots s
      where s.partner_id = k.partner_id and s.taken_at <= k.upto
      order by s.taken_at desc limit ${limit}
    ) h
    order by k.partner_id, h.taken_at`);
  for (const r of rowsOf(res)) {
    const id = String(r.partner_id);
    const p = { takenAt: toDate(r.taken_at), score: num(r.score), grade: String(r.grade) };
    const list = out.get(id);
    if (list) list.push(p);
    else out.set(id, [p]);
  }
  return out;
}

/** The distributor settings row, or the defaults before anyone saved settings. */
export async function readSettings(db: Db): Promise<DistributorSettings> {
  const res = await db.execute(sql`select data from settings where id = 1`);
  const data = rowsOf(res)[0]?.data;
  return data ? { ...defaultSettings(), ...json<Partial<DistributorSettings>>(data) } : defaultSettings();
}
