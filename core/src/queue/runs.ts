import { randomBytes } from 'node:crypto';
import { type ConnectionOptions, FlowProducer, Queue } from 'bullmq';
import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { whileDatabaseUnavailable } from '../db/availability.js';
import type { Db } from '../db/index.js';
import { payers, runPayers, runs } from '../db/schema.js';
import { rowsOf } from '../partners/import.js';
import {
  DEFAULT_QUEUE_PREFIX,
  PAYER_JOB_ATTEMPTS,
  PAYER_JOB_BACKOFF_MS,
  type PayerJobData,
  QUEUES,
  type RunJobData,
} from './names.js';

export type RunTrigger = 'manual' | 'schedule' | 'cli' | 'demo';
/** 'interrupted': the run's jobs were lost from Redis and could not be re-enqueued; `error` says why. Start a new run. */
export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'interrupted';

/** The statuses a run ends in: nothing changes it afterwards. */
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'interrupted'];

export interface RunDeps {
  db: Db;
  connection: ConnectionOptions | Redis;
  prefix?: string;
}

export interface RunProgress {
  runId: string;
  status: RunStatus;
  trigger: string;
  requestedBy: string | null;
  total: number;
  /** collected + failed. */
  done: number;
  collected: number;
  failed: number;
  queued: number;
  running: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
  /** What the reconciler did for this run (payers re-enqueued after Redis lost their jobs), if anything. */
  recoveryNote: string | null;
}

/** Sortable by time, unique, and free of ":" (BullMQ job ids cannot hold one). */
export const newRunId = () =>
  `run-${new Date().toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(4).toString('hex')}`;

/** BullMQ job id of one payer in one run: deterministic, so the same payer is never queued twice for a run. */
export const payerJobId = (runId: string, payerAccountId: string) => `${runId}-${payerAccountId}`;

/** The BullMQ flow of a run: the parent on QUEUES.runs, one child per payer. Also used to re-enqueue lost payers. */
export function runFlow(runId: string, payersOfRun: { accountId: string; partnerId: string }[]) {
  return {
    name: 'run',
    queueName: QUEUES.runs,
    data: { runId } satisfies RunJobData,
    opts: {
      jobId: runId,
      attempts: 3,
      backoff: { type: 'exponential' as const, delay: 1_000 },
      removeOnComplete: { age: 7 * 86_400 },
      removeOnFail: { age: 30 * 86_400 },
    },
    children: payersOfRun.map((s) => ({
      name: 'payer',
      queueName: QUEUES.payers,
      data: { runId, partnerId: s.partnerId, payerAccountId: s.accountId } satisfies PayerJobData,
      opts: payerJobOptions(runId, s.accountId),
    })),
  };
}

export function payerJobOptions(runId: string, payerAccountId: string) {
  return {
    jobId: payerJobId(runId, payerAccountId),
    attempts: PAYER_JOB_ATTEMPTS,
    backoff: { type: 'exponential' as const, delay: PAYER_JOB_BACKOFF_MS },
    // A payer that fails is recorded in run_payers; it must not stop the run from being scored.
    failParentOnFailure: false,
    ignoreDependencyOnFailure: true,
    removeOnComplete: { age: 86_400 },
    removeOnFail: { age: 7 * 86_400 },
  };
}

/**
 * Starts a collection run: the run row and one run_payers row per payer (queued) in one transaction, then a BullMQ
 * flow: a parent job on QUEUES.runs with one child per payer on QUEUES.payers. The parent runs when every child has
 * finished, failed ones included.
 */
export async function startRun(
  deps: RunDeps,
  opts: { trigger: RunTrigger; requestedBy?: string; partnerIds?: string[] },
): Promise<{ runId: string; total: number }> {
  const { db } = deps;
  const runId = newRunId();
  const selected = await db
    .select({ accountId: payers.accountId, partnerId: payers.partnerId })
    .from(payers)
    .where(opts.partnerIds ? inArray(payers.partnerId, opts.partnerIds.length ? opts.partnerIds : ['']) : undefined)
    .orderBy(payers.partnerId, payers.accountId);
  const total = selected.length;
  const empty = total === 0;
  await db.transaction(async (tx) => {
    await tx.insert(runs).values({
      id: runId,
      status: empty ? 'completed' : 'queued',
      trigger: opts.trigger,
      requestedBy: opts.requestedBy ?? null,
      total,
      queuePrefix: deps.prefix ?? DEFAULT_QUEUE_PREFIX,
      ...(empty ? { startedAt: new Date(), finishedAt: new Date(), error: 'no payers to collect' } : {}),
    });
    if (!empty)
      await tx.execute(sql`
        insert into run_payers (run_id, payer_account_id, partner_id, status)
        select ${runId}, a, p, 'queued'
        from unnest(${sql.param(selected.map((s) => s.accountId))}::text[], ${sql.param(selected.map((s) => s.partnerId))}::text[]) as t(a, p)`);
  });
  if (empty) return { runId, total };

  try {
    await enqueueRun(deps, runId, selected);
  } catch (err) {
    await db
      .update(runs)
      .set({ status: 'failed', finishedAt: new Date(), error: `could not enqueue the run: ${(err as Error).message}` })
      .where(eq(runs.id, runId));
    throw new Error(`could not enqueue collection run ${runId}: ${(err as Error).message}`);
  }
  return { runId, total };
}

/** Payer jobs sent to Redis at once when a run starts. */
export const ENQUEUE_CHUNK = 500;
/** Longer than any run: the gate is removed, never run. */
const GATE_DELAY_MS = 365 * 86_400_000;

/** BullMQ job id of the placeholder child that holds a run's parent back while its payers are enqueued. */
export const gateJobId = (runId: string) => `${runId}-gate`;

/**
 * Enqueues a run's flow a chunk of payers at a time. One FlowProducer.add of the whole tree builds every child and its
 * Redis commands in memory at once (10,000 payers: ~165 MB more RSS for a few seconds; 50,000 would need most of a
 * gigabyte). Instead the parent is added with one placeholder child, a gate delayed far in the future, so the parent
 * cannot run while its payers arrive; the payers are then added as its children ENQUEUE_CHUNK at a time, and removing
 * the gate leaves the parent waiting for exactly its payers (or, should every payer be done already, runs it at once).
 * Job ids stay deterministic, so a retried start never queues a payer twice.
 */
export async function enqueueRun(
  deps: Pick<RunDeps, 'connection' | 'prefix'>,
  runId: string,
  payersOfRun: { accountId: string; partnerId: string }[],
): Promise<void> {
  const prefix = deps.prefix ?? DEFAULT_QUEUE_PREFIX;
  const flow = new FlowProducer({ connection: deps.connection, prefix });
  const payersQueue = new Queue<PayerJobData>(QUEUES.payers, { connection: deps.connection, prefix });
  try {
    const { children: _all, ...parent } = runFlow(runId, []);
    await flow.add({
      ...parent,
      children: [
        {
          name: 'gate',
          queueName: QUEUES.payers,
          data: { runId, partnerId: '', payerAccountId: '' },
          opts: { ...payerJobOptions(runId, ''), jobId: gateJobId(runId), delay: GATE_DELAY_MS },
        },
      ],
    });
    const parentRef = { id: runId, queue: `${prefix}:${QUEUES.runs}` };
    for (let i = 0; i < payersOfRun.length; i += ENQUEUE_CHUNK) {
      const chunk = payersOfRun.slice(i, i + ENQUEUE_CHUNK);
      await payersQueue.addBulk(
        chunk.map((s) => ({
          name: 'payer',
          data: { runId, partnerId: s.partnerId, payerAccountId: s.accountId },
          opts: { ...payerJobOptions(runId, s.accountId), parent: parentRef },
        })),
      );
    }
    if (!(await payersQueue.remove(gateJobId(runId))))
      throw new Error(`the run's gate job ${gateJobId(runId)} could not be removed`);
  } finally {
    await Promise.all([flow.close(), payersQueue.close()]);
  }
}

/** Where a run stands, from the database (readable while it runs, from any process). */
export async function getRunProgress(db: Db, runId: string): Promise<RunProgress | null> {
  const [run] = await db.select().from(runs).where(eq(runs.id, runId));
  if (!run) return null;
  const counts = rowsOf(
    await db.execute(sql`select status, count(*)::int as n from run_payers where run_id = ${runId} group by status`),
  );
  const n = (s: string) => Number(counts.find((c) => c.status === s)?.n ?? 0);
  const collected = n('collected');
  const failed = n('failed');
  return {
    runId: run.id,
    status: run.status as RunStatus,
    trigger: run.trigger,
    requestedBy: run.requestedBy,
    total: run.total,
    done: collected + failed,
    collected,
    failed,
    queued: n('queued'),
    running: n('running'),
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    error: run.error,
    recoveryNote: run.recoveryNote,
  };
}

export const isFinished = (p: RunProgress | null): boolean => !!p && FINISHED_RUN_STATUSES.includes(p.status);

/**
 * Polls a run until it completes or fails, or until `timeoutMs` passes, and returns the last progress read (null when
 * the run does not exist). `onProgress` sees every reading after the first.
 */
export async function waitForRun(
  db: Db,
  runId: string,
  opts: { timeoutMs?: number; intervalMs?: number; onProgress?: (p: RunProgress) => void } = {},
): Promise<RunProgress | null> {
  const until = Date.now() + (opts.timeoutMs ?? 600_000);
  // A database restart while waiting is waited out (up to the timeout), not reported as the run's failure.
  const read = () =>
    whileDatabaseUnavailable(() => getRunProgress(db, runId), { maxWaitMs: Math.max(0, until - Date.now()) });
  let p = await read();
  while (p && !isFinished(p) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
    p = await read();
    if (p) opts.onProgress?.(p);
  }
  return p;
}

/** Runs, newest first, with their counters (no per-payer detail). */
export async function listRuns(db: Db, opts: { limit?: number; offset?: number } = {}) {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
  const offset = Math.max(opts.offset ?? 0, 0);
  const rows = await db.select().from(runs).orderBy(desc(runs.createdAt), desc(runs.id)).limit(limit).offset(offset);
  const [{ count } = { count: 0 }] = rowsOf(await db.execute(sql`select count(*)::int as count from runs`)) as {
    count: number;
  }[];
  return { runs: rows, total: Number(count), limit, offset };
}

/** The payers of a run with their outcome (failed ones carry the AWS error code). */
export async function listRunPayers(db: Db, runId: string) {
  return db
    .select()
    .from(runPayers)
    .where(eq(runPayers.runId, runId))
    .orderBy(runPayers.partnerId, runPayers.payerAccountId);
}
