import type { Config, Db, DistributorSettings, Logger, PayerEvidence } from '@payerguard/core';
import { schema } from '@payerguard/core';
import { accessOutcome } from '@payerguard/core/controls/access/lockout';
import { whileDatabaseUnavailable } from '@payerguard/core/db/availability';
import type { PayerJobData } from '@payerguard/core/queue/names';
import { liveRootEventsFor, withLiveRootEvents } from '@payerguard/core/root-events/live';
import { approvedWindowsEvidence } from '@payerguard/core/root-windows/store';
import { loadSettings } from '@payerguard/core/settings-store';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { eq } from 'drizzle-orm';
import { safeMessage } from '../aws/call.js';
import { type CollectOptions, callStats, collectPayer } from '../collect-payer.js';
import { type Evaluated, type Evaluator, inlineEvaluator } from '../evaluation/pool.js';
import { handBack } from './foreign.js';
import { markRetrying, markRunning, recordOutcome } from './outcome.js';
import { OutcomeBatcher } from './outcome-batch.js';

export interface PayerProcessorDeps {
  db: Db;
  config: Config;
  logger: Logger;
  /** Overrides for tests (timeouts, endpoint); the rest comes from config. */
  collect?: Partial<Omit<CollectOptions, 'logger'>>;
  /** Where the controls run (evaluation threads); default: on this thread. */
  evaluator?: Evaluator;
  /** Records collected payers' outcomes in batches across jobs; default: one batcher for this processor. */
  outcomes?: OutcomeBatcher;
}

/**
 * AssumeRole failures that a retry cannot fix: the role, its trust or the registry is wrong (a lockout). Throttling,
 * 5xx, timeouts and the like are retried with backoff; if they outlast the attempts the access stays unverified.
 */
function deterministic(access: Exclude<PayerEvidence['access'], { status: 'ok' }>): boolean {
  return accessOutcome(access) === 'lockout';
}

export function payerProcessor(deps: PayerProcessorDeps) {
  const { db, config, logger } = deps;
  const settingsOf = settingsPerRun(db);
  const outcomes = deps.outcomes ?? new OutcomeBatcher(db);
  return async (
    job: Job<PayerJobData>,
    token?: string,
    signal?: AbortSignal,
  ): Promise<{ status: string; errorCode?: string }> => {
    // The placeholder that holds a run's parent while its payers are enqueued is removed, never run (queue/runs.ts);
    // should one be promoted by hand, it has nothing to collect.
    if (job.name === 'gate') return { status: 'gate' };
    const { runId, partnerId, payerAccountId } = job.data;
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const log = logger.child({ runId, partnerId, payerAccountId, attempt: job.attemptsMade + 1 });
    // A database restart or failover is waited out here (the job keeps its lock), not spent as a retry: every step
    // below is safe to repeat, and recordOutcome records a payer once however often it is called.
    const waitDb = databaseWaiter(log);
    const state = await waitDb(() => markRunning(db, runId, payerAccountId));
    if (state === 'recorded') return { status: 'already-recorded' };
    if (state === 'unknown') return handBack(job, token, `run ${runId} payer ${payerAccountId}`);

    const [payer] = await waitDb(() =>
      db.select().from(schema.payers).where(eq(schema.payers.accountId, payerAccountId)),
    );
    if (!payer) {
      await waitDb(() =>
        recordOutcome(db, {
          runId,
          partnerId,
          payerAccountId,
          status: 'failed',
          errorCode: 'PayerRemoved',
          errorMessage: 'the payer was removed from the registry after the run started',
        }),
      );
      return { status: 'failed', errorCode: 'PayerRemoved' };
    }

    let evidence: PayerEvidence;
    const settings: DistributorSettings = await waitDb(() => settingsOf(runId));
    try {
      evidence = await untilAborted(
        signal,
        collectPayer({ partnerId, payerAccountId, roleArn: payer.roleArn, externalId: payer.externalId }, settings, {
          region: config.awsRegion,
          // The SDK reads AWS_ENDPOINT_URL (and the per-service variables, which must win) by itself.
          ...(config.awsEndpointUrl && !process.env.AWS_ENDPOINT_URL ? { endpoint: config.awsEndpointUrl } : {}),
          ...deps.collect,
          logger: log,
        }),
      );
      // Two-party root access: the payer's approved windows are part of what the root controls judge, stored with
      // the evidence so a re-score of this run reaches the same verdict.
      if (evidence.access.status === 'ok')
        evidence.rootAccessWindows = await approvedWindowsEvidence(db, payerAccountId, {
          now: new Date(evidence.collectedAt),
          lookbackDays: settings.rootLookbackDays,
        });
      // Root events the monitor delivered live count like the ones LookupEvents returned (same eventID kept once).
      const live = await liveRootEventsFor(db, [payerAccountId]);
      evidence = withLiveRootEvents(evidence, live.get(payerAccountId) ?? []);
    } catch (err) {
      if (err instanceof Aborted && token) {
        // The worker is shutting down (SIGTERM) and this payer was not done in time: give the job back, without
        // spending an attempt, for another worker (or this one after its restart) to collect from the start.
        log.info('handing the payer back: the worker is shutting down');
        await job.moveToDelayed(Date.now() + 100, token);
        throw new DelayedError();
      }
      // Collectors turn AWS failures into Calls; reaching here is a bug or the database failing.
      const message = safeMessage(err);
      log.error({ err: message }, 'payer collection crashed');
      if (last)
        await waitDb(() =>
          recordOutcome(db, {
            runId,
            partnerId,
            payerAccountId,
            status: 'failed',
            errorCode: 'CollectorError',
            errorMessage: message,
          }),
        );
      else await waitDb(() => markRetrying(db, runId, payerAccountId, 'CollectorError', message));
      throw err instanceof Error ? err : new Error(message);
    }

    const stats = callStats(evidence);
    const access = evidence.access;
    const evaluated = await evaluateAhead(
      deps.evaluator ?? inlineEvaluator,
      evidence,
      settings,
      payer.lastAccessOkAt ?? undefined,
      log,
    );
    if (access.status === 'ok') {
      // Batched with other jobs' outcomes; resolves once committed, so the job completes only with its rows in.
      await waitDb(() =>
        outcomes.record({
          runId,
          partnerId,
          payerAccountId,
          status: 'collected',
          callStats: stats,
          evidence,
          ...(evaluated ? { evaluated } : {}),
        }),
      );
      log.info({ stats }, 'payer collected');
      return { status: 'collected' };
    }
    const message = `${access.api}: ${access.message}`;
    if (deterministic(access) || last) {
      await waitDb(() =>
        outcomes.record({
          runId,
          partnerId,
          payerAccountId,
          status: 'failed',
          errorCode: access.errorCode,
          errorMessage: message,
          callStats: stats,
          evidence,
          ...(evaluated ? { evaluated } : {}),
        }),
      );
      log.warn({ errorCode: access.errorCode, status: access.status }, 'payer failed');
      // Recorded: BullMQ should not retry a denial, and the parent must still run (ignoreDependencyOnFailure).
      throw new UnrecoverableError(`${access.errorCode}: ${message}`);
    }
    await waitDb(() => markRetrying(db, runId, payerAccountId, access.errorCode, message));
    log.info({ errorCode: access.errorCode, status: access.status }, 'payer access failed; will retry');
    throw new Error(`${access.errorCode}: ${message}`);
  };
}

/** Runs whose settings this process holds: the few in flight at once. */
const SETTINGS_RUNS_KEPT = 8;

/**
 * The distributor settings a run's payers are judged by, read once per run and process instead of once per payer (a
 * database read per job is a measurable share of a small payer's cost). Every payer of a run in this process then
 * sees the same settings, even when an admin saves new ones half-way; the next run reads them.
 */
export function settingsPerRun(db: Db): (runId: string) => Promise<DistributorSettings> {
  const byRun = new Map<string, Promise<DistributorSettings>>();
  return (runId) => {
    let p = byRun.get(runId);
    if (!p) {
      if (byRun.size >= SETTINGS_RUNS_KEPT) byRun.delete(byRun.keys().next().value!);
      p = loadSettings(db);
      byRun.set(runId, p);
      // A failed read is not kept: the next payer (or this one, once the database is back) reads again.
      p.catch(() => {
        if (byRun.get(runId) === p) byRun.delete(runId);
      });
    }
    return p;
  };
}

class Aborted extends Error {}

/** `p`, unless `signal` fires first (the worker cancelled the job to shut down). */
function untilAborted<T>(signal: AbortSignal | undefined, p: Promise<T>): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new Aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Waits out database outages for one job, logging once when the wait starts and once when it ends. */
export function databaseWaiter(log: Logger) {
  return async <T>(f: () => Promise<T>): Promise<T> => {
    let waiting = false;
    const out = await whileDatabaseUnavailable(f, {
      onWait: (err) => {
        if (!waiting) log.warn({ err: safeMessage(err) }, 'database unavailable; waiting for it to come back');
        waiting = true;
      },
    });
    if (waiting) log.info('database is back; continuing');
    return out;
  };
}

/**
 * Evaluates the controls here, in the payer job, so the CPU-bound part of scoring (policy simulation) spreads over
 * the workers and overlaps other payers' network waits; the run's parent then only aggregates. Uses what scoreRun
 * would: the evidence's own collection time, and the last successful access as recordOutcome is about to leave it.
 * A failure only means scoreRun evaluates this payer itself.
 */
async function evaluateAhead(
  evaluator: Evaluator,
  evidence: PayerEvidence,
  settings: DistributorSettings,
  previousAccessOk: Date | undefined,
  log: Logger,
): Promise<Evaluated | undefined> {
  try {
    const now = new Date(evidence.collectedAt);
    const lastAccessOkAt = evidence.access.status === 'ok' ? now : previousAccessOk;
    return await evaluator.evaluate({ evidence, settings, now, ...(lastAccessOkAt ? { lastAccessOkAt } : {}) });
  } catch (err) {
    log.warn({ err: safeMessage(err) }, 'evaluation ahead of scoring failed; the run will evaluate this payer');
    return undefined;
  }
}
