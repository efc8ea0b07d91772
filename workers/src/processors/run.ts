import type { Db, Logger } from '@payerguard/core';
import { scoreRun as scoreRunOfCore } from '@payerguard/core/engine/score-run';
import type { RunJobData } from '@payerguard/core/queue/names';
import { warmDrilldowns } from '@payerguard/core/read-model/drilldown/stored';
import type { Job } from 'bullmq';
import { sql } from 'drizzle-orm';
import { handBack } from './foreign.js';
import { runStatus } from './outcome.js';
import { databaseWaiter } from './payer.js';

type ScoreRun = (db: Db, runId: string, opts?: { now?: Date }) => Promise<unknown>;

/**
 * The parent job of a run: runs once every payer job has finished (failed ones included). Closes payers that ended
 * without an outcome, settles the counters from run_payers, scores the run, and completes it even when scoring fails
 * (with the error recorded), so a run never hangs in "running".
 */
export function runProcessor(deps: {
  db: Db;
  logger: Logger;
  scoreRun?: ScoreRun;
  /** Called once the run is scored (alerts for new lockouts and critical findings); its failure is only logged. */
  onScored?: (runId: string) => Promise<void>;
}) {
  const { db, logger } = deps;
  return async (job: Job<RunJobData>, token?: string): Promise<{ status: string; error?: string }> => {
    const { runId } = job.data;
    const log = logger.child({ runId });
    // Every step is repeatable (scoreRun replaces a run's findings and snapshots), so a database outage is waited out.
    const waitDb = databaseWaiter(log);
    const status = await waitDb(() => runStatus(db, runId));
    if (status === undefined) return handBack(job, token, `run ${runId}`);
    // A parent delivered twice (a lapsed lock, a retry after the final update) must not score the run twice.
    // An interrupted run was given up on (its payers' jobs were lost); its re-run is a new run.
    if (status === 'completed' || status === 'interrupted') return { status };
    await waitDb(() =>
      db.transaction(async (tx) => {
        await tx.execute(sql`
        update run_payers set status = 'failed', error_code = coalesce(error_code, 'NotCollected'),
          error_message = coalesce(error_message, 'the payer job ended without recording an outcome'), finished_at = now()
        where run_id = ${runId} and status in ('queued', 'running')`);
        await tx.execute(sql`
        update runs set
          collected = (select count(*) from run_payers where run_id = ${runId} and status = 'collected'),
          failed = (select count(*) from run_payers where run_id = ${runId} and status = 'failed'),
          started_at = coalesce(started_at, now())
        where id = ${runId}`);
      }),
    );
    let error: string | undefined;
    try {
      const scoreRun = deps.scoreRun ?? scoreRunOfCore;
      const now = new Date();
      await waitDb(() => scoreRun(db, runId, { now }));
    } catch (err) {
      error = `scoring failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 1000);
      log.error({ err: error }, 'run scoring failed; the run is completed without scores');
    }
    await waitDb(() =>
      db.execute(sql`
        update runs set status = 'completed', finished_at = now(), error = ${error ?? null} where id = ${runId}`),
    );
    if (!error && deps.onScored)
      await deps
        .onScored(runId)
        .catch((err: unknown) =>
          log.error({ err: err instanceof Error ? err.message : String(err) }, 'alerts after scoring failed'),
        );
    // Each scored partner's drill-down, built once here so the first look at it after the run is a read. The run is
    // already complete: this only saves the API a build, and a failure costs nothing else.
    if (!error) {
      const started = performance.now();
      let failed = 0;
      try {
        const stored = await warmDrilldowns(db, await runPartnerIds(db, runId), {
          // The first few are enough to say why (a database outage would otherwise log every partner).
          onError: (partnerId, err) => {
            if (++failed <= 5)
              log.warn({ partnerId, err: err instanceof Error ? err.message : String(err) }, 'drill-down not stored');
          },
        });
        log.info({ stored, failed, ms: Math.round(performance.now() - started) }, 'drill-downs stored');
      } catch (err) {
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'drill-downs not stored after the run');
      }
    }
    log.info('collection run completed');
    return { status: 'completed', ...(error ? { error } : {}) };
  };
}

/** The partners whose latest snapshot this run wrote (partner_latest_run_idx). */
async function runPartnerIds(db: Db, runId: string): Promise<string[]> {
  const r = await db.execute(sql`select partner_id from partner_latest where run_id = ${runId} order by partner_id`);
  return ((r as { rows?: { partner_id: string }[] }).rows ?? []).map((x) => x.partner_id);
}
