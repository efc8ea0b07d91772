import { sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { runs } from '../db/schema.js';
import { type RunSummary, scoreRun } from '../engine/score-run.js';
import { writeEvidence } from '../evidence/store.js';
import type { PayerEvidence } from '../evidence/types.js';
import { newRunId } from '../queue/runs.js';
import { approvedWindowsEvidence } from '../root-windows/store.js';
import { loadSettings } from '../settings-store.js';
import { liveRootEventsFor, withLiveRootEvents } from './live.js';
import { LIVE_EVENT_TRIGGER } from './trigger.js';

/** Run trigger of a re-score caused by a live root event. */
export { LIVE_EVENT_TRIGGER } from './trigger.js';

async function rowsOf<T>(db: Db, q: ReturnType<typeof sql>): Promise<T[]> {
  return ((await db.execute(q)) as unknown as { rows: T[] }).rows;
}

/**
 * Re-scores one partner without collecting again: a new run (trigger "live-event") holding each of the partner's
 * payers as its latest run left it (the same evidence, or the same failure), with the stored live root events joined
 * in, scored by the same scoreRun as any collection. The partner gets a fresh snapshot whose `changes` compare with
 * its previous one, so a new critical finding or a lockout raised by the live event shows up like after a run.
 * Returns null when the partner has never been collected (nothing to re-score: the next collection will include the
 * live events).
 */
export async function rescorePartner(
  db: Db,
  partnerId: string,
  opts: { requestedBy: string; now?: Date },
): Promise<{ runId: string; summary: RunSummary } | null> {
  const latest = await rowsOf<{
    run_id: string;
    payer_account_id: string;
    status: string;
    error_code: string | null;
    error_message: string | null;
    call_stats: unknown;
    finished_at: string | Date | null;
  }>(
    db,
    sql`select distinct on (rp.payer_account_id) rp.run_id, rp.payer_account_id, rp.status, rp.error_code,
               rp.error_message, rp.call_stats, rp.finished_at
        from run_payers rp join runs r on r.id = rp.run_id
        join payers p on p.account_id = rp.payer_account_id and p.partner_id = ${partnerId}
        where rp.partner_id = ${partnerId} and rp.status in ('collected', 'failed')
        order by rp.payer_account_id, r.created_at desc, r.id desc`,
  );
  if (!latest.length) return null;
  const now = opts.now ?? new Date();
  const runId = newRunId();
  const live = await liveRootEventsFor(
    db,
    latest.map((l) => l.payer_account_id),
  );
  const { rootLookbackDays } = await loadSettings(db);

  await db.transaction(async (tx) => {
    await tx.insert(runs).values({
      id: runId,
      status: 'running',
      trigger: LIVE_EVENT_TRIGGER,
      requestedBy: opts.requestedBy,
      total: latest.length,
      collected: latest.filter((l) => l.status === 'collected').length,
      failed: latest.filter((l) => l.status === 'failed').length,
      startedAt: now,
    });
    for (const l of latest) {
      await tx.execute(sql`
        insert into run_payers (run_id, payer_account_id, partner_id, status, attempts, error_code, error_message, call_stats, started_at, finished_at)
        values (${runId}, ${l.payer_account_id}, ${partnerId}, ${l.status}, 0, ${l.error_code}, ${l.error_message},
                ${l.call_stats === null ? null : JSON.stringify(l.call_stats)}::jsonb, ${now.toISOString()}::timestamptz,
                ${l.finished_at === null ? null : new Date(l.finished_at).toISOString()}::timestamptz)`);
      const [ev] = await rowsOf<{ data: PayerEvidence; collected_at: string | Date }>(
        tx as unknown as Db,
        sql`select data, collected_at from evidence where run_id = ${l.run_id} and payer_account_id = ${l.payer_account_id}`,
      );
      if (!ev) continue;
      // Findings are left to scoreRun: they depend on the live events joined in here.
      const data = withLiveRootEvents(ev.data, live.get(l.payer_account_id) ?? [], now);
      // A window approved since the collection must count, or a root use inside it would read as a violation.
      if (data.access.status === 'ok')
        data.rootAccessWindows = await approvedWindowsEvidence(tx as unknown as Db, l.payer_account_id, {
          now,
          lookbackDays: rootLookbackDays,
        });
      await writeEvidence(tx as unknown as Db, [
        {
          runId,
          payerAccountId: l.payer_account_id,
          partnerId,
          evidence: { ...data, collectedAt: new Date(ev.collected_at).toISOString() },
        },
      ]);
    }
  });
  let summary: RunSummary;
  try {
    summary = await scoreRun(db, runId, { now });
  } catch (err) {
    await db.execute(
      sql`update runs set status = 'completed', finished_at = now(), error = ${`scoring failed: ${(err as Error).message}`.slice(0, 1000)} where id = ${runId}`,
    );
    throw err;
  }
  await db.execute(sql`update runs set status = 'completed', finished_at = now() where id = ${runId}`);
  return { runId, summary };
}
