import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { runs, snapshots } from '../db/schema.js';
import { lockStoreShared } from '../evidence/retention.js';
import type { PayerEvidence } from '../evidence/types.js';
import { deleteRunFindings, writeRunFindings } from './finding-store.js';
import type { RunAggregate, SnapshotChanges, SnapshotInsert } from './score-aggregate.js';

/** Rows per bulk statement: keeps each statement's arrays (and memory) bounded on very large estates. */
const CHUNK = 5_000;

export type AccessOutcome = Pick<PayerEvidence, 'payerAccountId' | 'collectedAt' | 'access'>;

/**
 * The persist step of scoring a run: in one transaction, replaces the run's findings and snapshots, moves each
 * partner's latest state forward, writes the run's trend point and summary, and carries access outcomes onto the
 * payer registry. Safe to repeat for the same run.
 */
export async function persistRun(
  db: Db,
  runId: string,
  agg: RunAggregate,
  access: AccessOutcome[],
  opts: { started: number; live: boolean; previousRunIds?: string[] },
): Promise<void> {
  await db.transaction(async (tx0) => {
    const tx = tx0 as unknown as Db;
    // Two scorings of one run (a retried parent job) must not interleave their delete-and-rewrite.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`payerguard:score:${runId}`}))`);
    await lockStoreShared(tx);
    await deleteRunFindings(tx, runId);
    await tx.delete(snapshots).where(eq(snapshots.runId, runId));
    await writeRunFindings(tx, runId, agg.findings);
    for (let i = 0; i < agg.snapshots.length; i += CHUNK) {
      const chunk = agg.snapshots.slice(i, i + CHUNK);
      await insertSnapshots(tx, chunk);
      await advanceLatest(tx, chunk);
    }
    await forgetLatestNotInRun(
      tx,
      runId,
      agg.snapshots.map((s) => s.partnerId),
    );
    await dropSpentEvaluations(tx, runId, opts.previousRunIds ?? []);
    const p = agg.point;
    await tx.execute(sql`
      insert into run_scores (run_id, scored_at, live, partners, average_score, lockouts, spend_at_risk)
      values (${runId}, ${agg.summary.scoredAt}::timestamptz, ${opts.live}, ${p.partners}, ${p.averageScore}, ${p.lockouts}, ${p.spendAtRisk})
      on conflict (run_id) do update set scored_at = excluded.scored_at, live = excluded.live, partners = excluded.partners,
        average_score = excluded.average_score, lockouts = excluded.lockouts, spend_at_risk = excluded.spend_at_risk`);
    await recordAccess(tx, access);
    agg.summary.durationMs = Date.now() - opts.started;
    await tx.update(runs).set({ summary: agg.summary }).where(eq(runs.id, runId));
  });
}

async function insertSnapshots(db: Db, rows: SnapshotInsert[]): Promise<void> {
  if (!rows.length) return;
  const col = <T>(f: (r: SnapshotInsert) => T) => sql.param(rows.map(f));
  await db.execute(sql`
    insert into snapshots (id, partner_id, run_id, taken_at, score, grade, counts, critical_failures, locked_out, monthly_spend, changes, previous_snapshot_id)
    select t.id, t.partner_id, t.run_id, t.taken_at, t.score, t.grade, t.counts::jsonb, t.critical_failures::jsonb, t.locked_out, t.monthly_spend, t.changes::jsonb, t.previous_snapshot_id
    from unnest(
      ${col((r) => r.id)}::text[], ${col((r) => r.partnerId)}::text[], ${col((r) => r.runId)}::text[],
      ${col((r) => r.takenAt.toISOString())}::timestamptz[], ${col((r) => r.score)}::int[], ${col((r) => r.grade)}::text[],
      ${col((r) => JSON.stringify(r.counts))}::text[], ${col((r) => JSON.stringify(r.criticalFailures))}::text[],
      ${col((r) => r.lockedOut)}::boolean[], ${col((r) => r.monthlySpend ?? null)}::float8[],
      ${col((r) => JSON.stringify(r.changes))}::text[], ${col((r) => r.previousSnapshotId ?? null)}::text[]
    ) as t(id, partner_id, run_id, taken_at, score, grade, counts, critical_failures, locked_out, monthly_spend, changes, previous_snapshot_id)`);
}

/**
 * Points each partner's latest state at its new snapshot unless a later one is already there (a re-score of an old
 * run leaves the latest alone). "Later" is the order the API always used: taken_at, then snapshot id. Only partners
 * that exist get a row: a partner removed while its run was scored does not come back.
 */
async function advanceLatest(db: Db, rows: SnapshotInsert[]): Promise<void> {
  if (!rows.length) return;
  const col = <T>(f: (r: SnapshotInsert) => T) => sql.param(rows.map(f));
  await db.execute(sql`
    insert into partner_latest (partner_id, snapshot_id, run_id, taken_at, score, grade, monthly_spend, locked_out, critical_count, critical_failures, previous_score)
    select t.partner_id, t.snapshot_id, t.run_id, t.taken_at, t.score, t.grade, t.monthly_spend, t.locked_out, t.critical_count, t.critical_failures::jsonb, t.previous_score
    from unnest(
      ${col((r) => r.partnerId)}::text[], ${col((r) => r.id)}::text[], ${col((r) => r.runId)}::text[],
      ${col((r) => r.takenAt.toISOString())}::timestamptz[], ${col((r) => r.score)}::int[], ${col((r) => r.grade)}::text[],
      ${col((r) => r.monthlySpend ?? null)}::float8[], ${col((r) => r.lockedOut)}::boolean[],
      ${col((r) => (r.criticalFailures as string[]).length)}::int[], ${col((r) => JSON.stringify(r.criticalFailures))}::text[],
      ${col((r) => (r.changes as SnapshotChanges).previousScore)}::int[]
    ) as t(partner_id, snapshot_id, run_id, taken_at, score, grade, monthly_spend, locked_out, critical_count, critical_failures, previous_score)
    join partners p on p.id = t.partner_id
    on conflict (partner_id) do update set
      snapshot_id = excluded.snapshot_id, run_id = excluded.run_id, taken_at = excluded.taken_at, score = excluded.score,
      grade = excluded.grade, monthly_spend = excluded.monthly_spend, locked_out = excluded.locked_out,
      critical_count = excluded.critical_count, critical_failures = excluded.critical_failures,
      previous_score = excluded.previous_score
    where partner_latest.snapshot_id = excluded.snapshot_id
       or (excluded.taken_at, excluded.snapshot_id) > (partner_latest.taken_at, partner_latest.snapshot_id)`);
}

/**
 * A re-score that no longer holds a partner (its payers were removed) must not leave that partner's latest state
 * pointing at a snapshot that is gone: it falls back to the partner's newest remaining snapshot.
 */
async function forgetLatestNotInRun(db: Db, runId: string, partnerIds: string[]): Promise<void> {
  const gone = (await db.execute(sql`
    delete from partner_latest where run_id = ${runId} and partner_id <> all(${sql.param(partnerIds)}::text[])
    returning partner_id`)) as unknown as { rows: { partner_id: string }[] };
  const ids = gone.rows.map((r) => r.partner_id);
  if (!ids.length) return;
  await refillLatest(db, ids);
}

/** Rebuilds the latest state of the given partners from their snapshots (a repair, not the hot path). */
export async function refillLatest(db: Db, partnerIds: string[]): Promise<void> {
  await db.execute(sql`
    insert into partner_latest (partner_id, snapshot_id, run_id, taken_at, score, grade, monthly_spend, locked_out, critical_count, critical_failures, previous_score)
    select distinct on (s.partner_id) s.partner_id, s.id, s.run_id, s.taken_at, s.score, s.grade, s.monthly_spend,
           s.locked_out, jsonb_array_length(s.critical_failures), s.critical_failures, p.score
    from snapshots s join partners pa on pa.id = s.partner_id left join snapshots p on p.id = s.previous_snapshot_id
    where s.partner_id = any(${sql.param(partnerIds)}::text[])
    order by s.partner_id, s.taken_at desc, s.id desc
    on conflict (partner_id) do nothing`);
}

/**
 * The findings a payer job evaluated ahead are kept on the evidence row so that scoring (and a retried scoring) need
 * not evaluate again. Once a later run is the partners' latest, those of the runs before it have served: dropping
 * them keeps each run's evidence row small (they are most of its size). Re-scoring such an older run evaluates its
 * evidence again, as it does after a settings change. Only the previous runs of the partners just scored are looked
 * at, so the cost does not grow with history.
 */
async function dropSpentEvaluations(db: Db, runId: string, previousRunIds: string[]): Promise<void> {
  const ids = [...new Set(previousRunIds)].filter((id) => id !== runId);
  if (!ids.length) return;
  await db.execute(sql`
    update evidence_runs e set findings = null
    where e.run_id = any(${sql.param(ids)}::text[]) and e.findings is not null
      and not exists (select 1 from partner_latest pl where pl.run_id = e.run_id and pl.partner_id = e.partner_id)`);
}

/**
 * Carries this run's access outcome onto the payer registry. Guarded by time so re-scoring an older run never
 * overwrites what a newer run recorded.
 */
async function recordAccess(db: Db, evs: AccessOutcome[]): Promise<void> {
  const ok = evs.filter((e) => e.access?.status === 'ok');
  const failed = evs.filter((e) => e.access?.status !== 'ok');
  if (ok.length) {
    await db.execute(sql`
      update payers p set last_access_ok_at = t.at, last_access_error = null
      from unnest(${sql.param(ok.map((e) => e.payerAccountId))}::text[], ${sql.param(ok.map((e) => e.collectedAt))}::timestamptz[]) as t(id, at)
      where p.account_id = t.id and (p.last_access_ok_at is null or p.last_access_ok_at <= t.at)`);
  }
  if (failed.length) {
    const errorOf = (e: AccessOutcome) => {
      const a = e.access;
      const text = a && a.status !== 'ok' ? `${a.errorCode}: ${a.message}` : 'no access evidence';
      return text.slice(0, 1000);
    };
    await db.execute(sql`
      update payers p set last_access_error = t.err
      from unnest(${sql.param(failed.map((e) => e.payerAccountId))}::text[], ${sql.param(failed.map((e) => e.collectedAt))}::timestamptz[], ${sql.param(failed.map(errorOf))}::text[]) as t(id, at, err)
      where p.account_id = t.id and (p.last_access_ok_at is null or p.last_access_ok_at < t.at)`);
  }
}
