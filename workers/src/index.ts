import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Config, type Db, errorText, type Logger } from '@payerguard/core';
import { alertsForRun } from '@payerguard/core/alerts/from-run';
import { startHeartbeat } from '@payerguard/core/queue/heartbeat';
import { DEFAULT_QUEUE_PREFIX, QUEUES } from '@payerguard/core/queue/names';
import { startReconciler } from '@payerguard/core/queue/reconcile';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { startAlertWorkers } from './alerts/index.js';
import type { CollectOptions } from './collect-payer.js';
import { dashboardFirst } from './dashboard-first.js';
import { createEvaluator } from './evaluation/pool.js';
import { startExportWorkers } from './exports/index.js';
import { OutcomeBatcher } from './processors/outcome-batch.js';
import { payerProcessor } from './processors/payer.js';
import { runProcessor } from './processors/run.js';
import { startRootEventConsumer } from './root-events/consumer.js';

export { type CollectOptions, callStats, collectPayer, type PayerTarget } from './collect-payer.js';

export interface WorkerDeps {
  db: Db;
  config: Config;
  logger: Logger;
  prefix?: string;
  /** Payers collected at once by this process; defaults to config.workerConcurrency. */
  concurrency?: number;
  /** Collection overrides (tests: short timeouts). */
  collect?: Partial<Omit<CollectOptions, 'logger'>>;
  /** Replaces the engine's scoreRun (tests). */
  scoreRun?: (db: Db, runId: string, opts?: { now?: Date }) => Promise<unknown>;
  /** Also run the export scheduler and delivery workers (default true). */
  exports?: boolean;
  /** How often this process looks for runs whose jobs Redis lost (default 30 s; 0 turns the reconciler off). */
  reconcileIntervalMs?: number;
  /** Runs younger than this are left to startRun (default RECONCILE_GRACE_MS). */
  reconcileGraceMs?: number;
  /** close() waits this long for payers in flight, then hands the rest back to the queue (default 20 s). */
  drainMs?: number;
  /** Alert delivery retry policy (tests shorten the backoff). */
  alertRetry?: { attempts: number; backoffMs: number };
  /** Long-poll wait of the root event consumer, seconds (default 20); it runs when config.rootEventsQueueUrl is set. */
  rootEventsWaitSeconds?: number;
  /**
   * Set when the API answers from this process: epoch ms of its last request. Collection then gives way to the
   * dashboard while it is in use (dashboard-first.ts).
   */
  apiLastRequestAt?: () => number;
}

/**
 * Starts the collection workers in this process: payer jobs (bounded concurrency) and run jobs (scoring), plus a
 * heartbeat the API's /health reads. close() lets jobs in flight finish, then disconnects.
 */
export async function startWorkers(
  deps: WorkerDeps,
): Promise<{ workerId: string; outcomeStats: OutcomeBatcher['stats']; close(): Promise<void> }> {
  const { db, config, logger } = deps;
  const prefix = deps.prefix ?? DEFAULT_QUEUE_PREFIX;
  const concurrency = deps.concurrency ?? config.workerConcurrency;
  const workerId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = logger.child({ component: 'workers', workerId });
  // Workers block on Redis: ioredis must not give up on a command after N retries.
  const connect = () => new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const payerConn = connect();
  const runConn = connect();
  const beatConn = connect();
  for (const c of [payerConn, runConn, beatConn])
    c.on('error', (e) => log.warn({ err: e.message }, 'redis connection error'));

  // Controls run on their own threads: the event loop keeps BullMQ locks, the API and PGlite answering.
  const evaluator = createEvaluator(config.evaluationThreads ?? 0);
  // Payer outcomes are written in batches across this process's payer jobs (group commit).
  const outcomes = new OutcomeBatcher(db);
  const payers = new Worker(
    QUEUES.payers,
    payerProcessor({
      db,
      config,
      logger: log,
      evaluator,
      outcomes,
      ...(deps.collect ? { collect: deps.collect } : {}),
    }),
    {
      connection: payerConn,
      prefix,
      concurrency,
      // Scoring in the same process can block the event loop for many seconds on a large estate; a lock that lapses
      // meanwhile would make BullMQ think a healthy job stalled and run it twice.
      lockDuration: 120_000,
    },
  );
  const alerts = await startAlertWorkers({
    db,
    config,
    logger: log,
    prefix,
    ...(deps.alertRetry ? { retry: deps.alertRetry } : {}),
  });
  const onScored = async (runId: string) => {
    for (const alert of await alertsForRun(db, runId)) await alerts.raise(alert);
  };
  const runs = new Worker(
    QUEUES.runs,
    runProcessor({ db, logger: log, onScored, ...(deps.scoreRun ? { scoreRun: deps.scoreRun } : {}) }),
    {
      connection: runConn,
      prefix,
      concurrency: 2,
      lockDuration: 600_000,
    },
  );
  const yielding = deps.apiLastRequestAt
    ? dashboardFirst(payers, { lastRequestAt: deps.apiLastRequestAt, max: concurrency, logger: log })
    : undefined;
  for (const w of [payers, runs]) {
    w.on('error', (e) => log.error({ err: errorText(e) }, 'worker error'));
    w.on('failed', (job, e) => {
      if (job) log.debug({ jobId: job.id, attemptsMade: job.attemptsMade, err: errorText(e) }, 'job attempt failed');
    });
  }
  await Promise.all([payers.waitUntilReady(), runs.waitUntilReady()]);
  let active = 0;
  payers.on('active', () => active++);
  payers.on('completed', () => active--);
  payers.on('failed', () => (active = Math.max(0, active - 1)));
  const heartbeat = startHeartbeat(
    beatConn,
    prefix,
    { workerId, pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), concurrency },
    () => active,
  );
  const reconciler =
    deps.reconcileIntervalMs === 0
      ? undefined
      : startReconciler({
          db,
          connection: beatConn,
          prefix,
          ...(deps.reconcileIntervalMs ? { intervalMs: deps.reconcileIntervalMs } : {}),
          ...(deps.reconcileGraceMs !== undefined ? { graceMs: deps.reconcileGraceMs } : {}),
          onActions: (actions) => {
            for (const a of actions) log.warn(a, `reconciler: run ${a.action}`);
          },
          onError: (e) => log.warn({ err: errorText(e) }, 'reconciler pass failed; retrying next round'),
        });
  log.info({ concurrency, prefix }, 'collection workers started');
  // Scheduled exports, deliveries and retention run beside collection in every worker process.
  const exportWorkers = deps.exports === false ? undefined : await startExportWorkers({ db, config, logger, prefix });
  // Live root events from the hub queue, when one is configured.
  const rootConn = config.rootEventsQueueUrl ? connect() : undefined;
  rootConn?.on('error', (e) => log.warn({ err: e.message }, 'redis connection error'));
  const rootEvents =
    config.rootEventsQueueUrl && rootConn
      ? startRootEventConsumer({
          db,
          config,
          logger: log,
          redis: rootConn,
          prefix,
          queueUrl: config.rootEventsQueueUrl,
          raise: (a) => alerts.raise(a),
          ...(deps.rootEventsWaitSeconds !== undefined ? { waitSeconds: deps.rootEventsWaitSeconds } : {}),
        })
      : undefined;

  let closing: Promise<void> | undefined;
  return {
    workerId,
    outcomeStats: outcomes.stats,
    close() {
      closing ??= (async () => {
        reconciler?.stop();
        yielding?.stop();
        await rootEvents?.close();
        // Drain: payers in flight get drainMs to finish; the rest are cancelled, and the payer processor hands each
        // back to the queue (no attempt spent) for another worker. A lingering run job is left to BullMQ's stall check.
        const drained = Promise.all([payers.close(), runs.close(), exportWorkers?.close()]);
        const timer = setTimeout(() => {
          log.warn({ active }, 'drain time is up: handing the remaining payers back to the queue');
          payers.cancelAllJobs('the worker is shutting down');
          setTimeout(() => void Promise.all([payers.close(true), runs.close(true)]), 5_000).unref();
        }, deps.drainMs ?? 20_000);
        timer.unref();
        await drained;
        clearTimeout(timer);
        await alerts.close();
        await rootConn?.quit().catch(() => {});
        await evaluator.close();
        await heartbeat.stop();
        await Promise.all([payerConn.quit(), runConn.quit(), beatConn.quit()].map((p) => p.catch(() => {})));
        log.info('collection workers stopped');
      })();
      return closing;
    },
  };
}
