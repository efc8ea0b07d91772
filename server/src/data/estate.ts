import { type Db, schema } from '@payerguard/core';
import { AT_RISK_SQL } from '@payerguard/core/engine/standing';
import { type SQL, sql } from 'drizzle-orm';
import { num, rows } from './rows.js';

export type Snapshot = typeof schema.snapshots.$inferSelect;
/** What the overview shows of a partner's latest snapshot: partner_latest's copy, no history read. */
export type LatestState = Pick<
  Snapshot,
  'id' | 'runId' | 'takenAt' | 'score' | 'grade' | 'lockedOut' | 'criticalFailures' | 'monthlySpend'
>;

export interface EstatePartner {
  id: string;
  name: string;
  tags: Record<string, string>;
  payerAccountIds: string[];
  latest: LatestState | null;
  previousScore: number | null;
}

/**
 * Every partner with its latest snapshot and the score of the one before, read through partner_latest (one row per
 * partner, kept by scoreRun): the cost follows the number of partners, never the length of their history.
 */
export async function loadEstate(db: Db): Promise<EstatePartner[]> {
  const l = schema.partnerLatest;
  const [partners, payers, latest] = await Promise.all([
    db.select().from(schema.partners),
    db.select({ partnerId: schema.payers.partnerId, accountId: schema.payers.accountId }).from(schema.payers),
    db
      .select({
        s: {
          id: l.snapshotId,
          partnerId: l.partnerId,
          runId: l.runId,
          takenAt: l.takenAt,
          score: l.score,
          grade: l.grade,
          lockedOut: l.lockedOut,
          criticalFailures: l.criticalFailures,
          monthlySpend: l.monthlySpend,
        },
        previousScore: l.previousScore,
      })
      .from(l),
  ]);
  const payersBy = new Map<string, string[]>();
  for (const p of payers) payersBy.set(p.partnerId, [...(payersBy.get(p.partnerId) ?? []), p.accountId]);
  const latestBy = new Map(latest.map((r) => [r.s.partnerId, r]));
  return partners.map((p) => {
    const l = latestBy.get(p.id);
    return {
      id: p.id,
      name: p.name,
      tags: p.tags,
      payerAccountIds: (payersBy.get(p.id) ?? []).sort(),
      latest: l?.s ?? null,
      previousScore: l?.previousScore ?? null,
    };
  });
}

/** The last `n` scores of each given partner, oldest first (for sparklines): n index reads per partner. */
export async function recentScores(db: Db, partnerIds: string[], n: number): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  if (partnerIds.length === 0) return out;
  const r = await rows<{ partner_id: string; score: number }>(
    db,
    sql`select p.id as partner_id, s.score
        from unnest(${sql.param(partnerIds)}::text[]) as p(id)
        cross join lateral (
          select score, taken_at from snapshots where partner_id = p.id order by taken_at desc limit ${n}
        ) s
        order by p.id, s.taken_at asc`,
  );
  for (const x of r) out.set(x.partner_id, [...(out.get(x.partner_id) ?? []), Number(x.score)]);
  return out;
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

/** Partners whose latest run has a failing finding of this control (through partner_latest: no history scanned). */
export async function partnersFailingControl(db: Db, controlId: string): Promise<Set<string>> {
  const r = await rows<{ partner_id: string }>(
    db,
    sql`select distinct f.partner_id from latest_findings f where f.control_id = ${controlId} and f.status = 'fail'`,
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

/**
 * The estate's score per run, oldest first, from the runs' pre-aggregated points (run_scores); one partner's trend
 * from its own snapshots (index-bounded by the limit).
 */
export async function estateTrend(db: Db, onlyPartnerId: string | null, lastRuns: number): Promise<TrendPoint[]> {
  // A live-event re-score holds one partner: a point of its own would make the estate's line jump to that partner's
  // score. The partner's own trend keeps it.
  const r = onlyPartnerId
    ? await rows<Record<string, unknown>>(
        db,
        sql`select run_id, taken_at as at, 1 as partners, score as avg_score,
                   case when locked_out then 1 else 0 end as lockouts,
                   case when ${AT_RISK_SQL} then coalesce(monthly_spend, 0) else 0 end as spend_at_risk
            from snapshots where partner_id = ${onlyPartnerId} order by taken_at desc, id desc limit ${lastRuns}`,
      )
    : await rows<Record<string, unknown>>(
        db,
        sql`select run_id, scored_at as at, partners, average_score as avg_score, lockouts, spend_at_risk
            from run_scores where live = false order by scored_at desc, run_id desc limit ${lastRuns}`,
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
