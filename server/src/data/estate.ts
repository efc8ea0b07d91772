import { type Db, schema } from '@payerguard/core';
import { AT_RISK_SQL } from '@payerguard/core/engine/standing';
import { LIVE_EVENT_TRIGGER } from '@payerguard/core/root-events/rescore';
import { desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { num, rows } from './rows.js';

export type Snapshot = typeof schema.snapshots.$inferSelect;

export interface EstatePartner {
  id: string;
  name: string;
  tags: Record<string, string>;
  payerAccountIds: string[];
  latest: Snapshot | null;
  previousScore: number | null;
}

/** Every partner (or one) with its latest snapshot and the score of the one before. */
export async function loadEstate(db: Db, onlyPartnerId: string | null): Promise<EstatePartner[]> {
  const partnerQ = db.select().from(schema.partners);
  const payerQ = db
    .select({ partnerId: schema.payers.partnerId, accountId: schema.payers.accountId })
    .from(schema.payers);
  const snapQ = db
    .selectDistinctOn([schema.snapshots.partnerId])
    .from(schema.snapshots)
    .orderBy(schema.snapshots.partnerId, desc(schema.snapshots.takenAt));
  const [partners, payers, latest] = onlyPartnerId
    ? await Promise.all([
        partnerQ.where(eq(schema.partners.id, onlyPartnerId)),
        payerQ.where(eq(schema.payers.partnerId, onlyPartnerId)),
        snapQ.where(eq(schema.snapshots.partnerId, onlyPartnerId)),
      ])
    : await Promise.all([partnerQ, payerQ, snapQ]);
  const prevIds = latest.map((s) => s.previousSnapshotId).filter((x): x is string => !!x);
  const prevScores = new Map<string, number>();
  for (let i = 0; i < prevIds.length; i += 10_000) {
    const chunk = prevIds.slice(i, i + 10_000);
    const r = await db
      .select({ id: schema.snapshots.id, score: schema.snapshots.score })
      .from(schema.snapshots)
      .where(inArray(schema.snapshots.id, chunk));
    for (const x of r) prevScores.set(x.id, x.score);
  }
  const payersBy = new Map<string, string[]>();
  for (const p of payers) payersBy.set(p.partnerId, [...(payersBy.get(p.partnerId) ?? []), p.accountId]);
  const latestBy = new Map(latest.map((s) => [s.partnerId, s]));
  return partners.map((p) => {
    const s = latestBy.get(p.id) ?? null;
    return {
      id: p.id,
      name: p.name,
      tags: p.tags,
      payerAccountIds: (payersBy.get(p.id) ?? []).sort(),
      latest: s,
      previousScore: s?.previousSnapshotId ? (prevScores.get(s.previousSnapshotId) ?? null) : null,
    };
  });
}

/** The last `n` scores of each given partner, oldest first (for sparklines). */
export async function recentScores(db: Db, partnerIds: string[], n: number): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  if (partnerIds.length === 0) return out;
  const r = await rows<{ partner_id: string; score: number }>(
    db,
    sql`select partner_id, score from (
          select partner_id, score, taken_at,
                 row_number() over (partition by partner_id order by taken_at desc) as rn
          from snapshots where partner_id = any(${sql.param(partnerIds)}::text[])) t
        where rn <= ${n} order by partner_id, taken_at asc`,
  );
  for (const x of r) out.set(x.partner_id, [...(out.get(x.partner_id) ?? []), Number(x.score)]);
  return out;
}

/** Each partner's latest (partner, run) pair: the run of its latest snapshot. */
export async function latestRuns(
  db: Db,
  onlyPartnerId: string | null,
): Promise<{ partnerId: string; runId: string }[]> {
  const q = db
    .selectDistinctOn([schema.snapshots.partnerId], {
      partnerId: schema.snapshots.partnerId,
      runId: schema.snapshots.runId,
    })
    .from(schema.snapshots)
    .orderBy(schema.snapshots.partnerId, desc(schema.snapshots.takenAt));
  return onlyPartnerId ? q.where(eq(schema.snapshots.partnerId, onlyPartnerId)) : q;
}

/**
 * A WHERE fragment on findings `f` selecting each partner's latest run: one (run, partner list) branch per run.
 * Written out rather than joined: right after a run's bulk insert the tables have no statistics (PGlite never
 * autovacuums), and the planner then nested-loops a join over every finding (66 s at 5,000 partners, 80 ms here).
 */
export function latestFindingsWhere(pairs: { partnerId: string; runId: string }[]): SQL {
  if (pairs.length === 0) return sql`false`;
  const byRun = new Map<string, string[]>();
  for (const p of pairs) byRun.set(p.runId, [...(byRun.get(p.runId) ?? []), p.partnerId]);
  const branches = [...byRun].map(
    ([runId, ids]) => sql`(f.run_id = ${runId} and f.partner_id = any(${sql.param(ids)}::text[]))`,
  );
  return sql`(${sql.join(branches, sql` or `)})`;
}

/** Partners whose latest run has a failing finding of this control. */
export async function partnersFailingControl(db: Db, controlId: string): Promise<Set<string>> {
  const r = await rows<{ partner_id: string }>(
    db,
    sql`select distinct f.partner_id from findings f
        where ${latestFindingsWhere(await latestRuns(db, null))} and f.control_id = ${controlId} and f.status = 'fail'`,
  );
  return new Set(r.map((x) => x.partner_id));
}

export interface TrendPoint {
  runId: string;
  at: string;
  partners: number;
  averageScore: number;
  lockouts: number;
  spendAtRisk?: number;
}

/** The estate's score per run, oldest first. */
export async function estateTrend(db: Db, onlyPartnerId: string | null, lastRuns: number): Promise<TrendPoint[]> {
  // A live-event re-score holds one partner: a point of its own would make the estate's line jump to that partner's
  // score. The partner's own trend keeps it.
  const where = onlyPartnerId
    ? sql`where partner_id = ${onlyPartnerId}`
    : sql`where run_id not in (select id from runs where trigger = ${LIVE_EVENT_TRIGGER})`;
  const r = await rows<Record<string, unknown>>(
    db,
    sql`select run_id, min(taken_at) as at, count(*) as partners, avg(score) as avg_score,
               sum(case when locked_out then 1 else 0 end) as lockouts,
               sum(case when ${AT_RISK_SQL} then coalesce(monthly_spend, 0) else 0 end) as spend_at_risk
        from snapshots ${where} group by run_id order by min(taken_at) desc limit ${lastRuns}`,
  );
  return r.reverse().map((x) => ({
    runId: String(x.run_id),
    at: new Date(x.at as string).toISOString(),
    partners: Number(x.partners),
    averageScore: Math.round((num(x.avg_score) ?? 0) * 10) / 10,
    lockouts: Number(x.lockouts),
    spendAtRisk: Math.round((num(x.spend_at_risk) ?? 0) * 100) / 100,
  }));
}

const STATUS_RANK: Record<string, number> = { fail: 5, unknown: 4, warn: 3, suppressed: 2, pass: 1 };

/** Worst finding status per (partner, control) in each partner's latest run. */
export async function statusMatrix(
  db: Db,
  latest: { partnerId: string; runId: string }[],
): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  if (latest.length === 0) return out;
  const r = await rows<{ partner_id: string; control_id: string; status: string }>(
    db,
    sql`select distinct f.partner_id, f.control_id, f.status from findings f where ${latestFindingsWhere(latest)}`,
  );
  for (const x of r) {
    const cells = out.get(x.partner_id) ?? {};
    const cur = cells[x.control_id];
    if (!cur || (STATUS_RANK[x.status] ?? 0) > (STATUS_RANK[cur] ?? 0)) cells[x.control_id] = x.status;
    out.set(x.partner_id, cells);
  }
  return out;
}
