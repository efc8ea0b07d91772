import { randomBytes } from 'node:crypto';
import { FlowProducer, Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Db } from '../db/index.js';
import { rowsOf } from '../partners/import.js';
import { DEFAULT_QUEUE_PREFIX, QUEUES } from './names.js';
import { payerJobId, payerJobOptions, runFlow } from './runs.js';

/**
 * Redis can lose a run's jobs (a wipe, an eviction under memory pressure, a failover to a replica that had not caught
 * up) while PostgreSQL still says the run is going. Nothing would ever finish such a run: `collect --wait` would wait
 * for ever and the dashboard would show it running. The reconciler compares the two and mends the difference.
 */

/** Re-enqueues allowed per run; past this the run is interrupted (Redis keeps losing it, a human should look). */
export const MAX_REQUEUES = 3;
/** A run younger than this may still be between its database rows and its flow (startRun writes rows first). */
export const RECONCILE_GRACE_MS = 60_000;

export interface ReconcileAction {
  runId: string;
  action: 'requeued' | 'interrupted';
  payers: number;
  reason: string;
}

export interface ReconcileDeps {
  db: Db;
  connection: Redis;
  prefix?: string;
  graceMs?: number;
  maxRequeues?: number;
}

/** One pass over the unfinished runs of this queue prefix. Returns what it did (nothing when all is well). */
export async function reconcileRuns(deps: ReconcileDeps): Promise<ReconcileAction[]> {
  const { db, connection } = deps;
  const prefix = deps.prefix ?? DEFAULT_QUEUE_PREFIX;
  const grace = deps.graceMs ?? RECONCILE_GRACE_MS;
  const maxRequeues = deps.maxRequeues ?? MAX_REQUEUES;
  const open = rowsOf(
    await db.execute(sql`
      select id, requeues from runs
      where status in ('queued', 'running') and coalesce(queue_prefix, ${DEFAULT_QUEUE_PREFIX}) = ${prefix}
        and created_at < now() - make_interval(secs => ${grace / 1000})
      order by created_at`),
  ) as { id: string; requeues: number }[];
  if (!open.length) return [];

  const runsQueue = new Queue(QUEUES.runs, { connection, prefix });
  const payersQueue = new Queue(QUEUES.payers, { connection, prefix });
  const actions: ReconcileAction[] = [];
  try {
    for (const run of open) {
      const unfinished = rowsOf(
        await db.execute(sql`
          select payer_account_id as "accountId", partner_id as "partnerId" from run_payers
          where run_id = ${run.id} and status in ('queued', 'running') order by partner_id, payer_account_id`),
      ) as { accountId: string; partnerId: string }[];
      const parent = await runsQueue.getJob(run.id);
      const parentState = parent ? await parent.getState() : 'missing';

      if (parentState === 'failed' || parentState === 'completed') {
        // The parent ended in Redis but never finished the run in the database (its attempts ran out).
        const reason = `the run's scoring job ${parentState === 'failed' ? `failed: ${parent?.failedReason ?? 'no reason recorded'}` : 'ended without finishing the run'}`;
        actions.push(await interrupt(db, run.id, unfinished.length, reason));
        continue;
      }
      if (parentState !== 'missing' && parentState !== 'waiting-children') continue; // waiting, active, delayed: fine

      let lost = unfinished;
      if (parentState === 'waiting-children') {
        lost = [];
        for (const p of unfinished) if (!(await payersQueue.getJob(payerJobId(run.id, p.accountId)))) lost.push(p);
        if (!lost.length) continue;
      }
      const what =
        parentState === 'missing'
          ? `Redis lost the run's jobs (${unfinished.length} payers unfinished)`
          : `Redis lost the jobs of ${lost.length} payers`;
      if (run.requeues >= maxRequeues) {
        actions.push(
          await interrupt(
            db,
            run.id,
            unfinished.length,
            `${what} and its ${run.requeues} of ${maxRequeues} re-enqueues are used up; check Redis (persistence on, maxmemory-policy noeviction) and start a new run`,
          ),
        );
        continue;
      }
      if (parentState === 'missing') {
        const flow = new FlowProducer({ connection, prefix });
        try {
          // Deterministic ids: a payer job that survived is not duplicated, and recordOutcome records a payer once.
          await flow.add(runFlow(run.id, unfinished));
        } finally {
          await flow.close();
        }
      } else {
        const parentKey = `${prefix}:${QUEUES.runs}`;
        for (const p of lost)
          await payersQueue.add(
            'payer',
            { runId: run.id, partnerId: p.partnerId, payerAccountId: p.accountId },
            { ...payerJobOptions(run.id, p.accountId), parent: { id: run.id, queue: parentKey } },
          );
      }
      const note = `${new Date().toISOString()}: ${what}; re-enqueued ${lost.length} payers`;
      await db.execute(sql`
        update runs set requeues = requeues + 1,
          recovery_note = left(coalesce(recovery_note || E'\n', '') || ${note}, 2000)
        where id = ${run.id}`);
      actions.push({ runId: run.id, action: 'requeued', payers: lost.length, reason: what });
    }
  } finally {
    await Promise.all([runsQueue.close(), payersQueue.close()]);
  }
  return actions;
}

/** Ends a run as interrupted: its unfinished payers fail with the reason, so every payer stays accounted for. */
async function interrupt(db: Db, runId: string, unfinished: number, reason: string): Promise<ReconcileAction> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      update run_payers set status = 'failed', error_code = 'Interrupted', error_message = ${reason.slice(0, 1000)},
        finished_at = now()
      where run_id = ${runId} and status in ('queued', 'running')`);
    await tx.execute(sql`
      update runs set status = 'interrupted', finished_at = now(), error = ${`interrupted: ${reason}`.slice(0, 1000)},
        collected = (select count(*) from run_payers where run_id = ${runId} and status = 'collected'),
        failed = (select count(*) from run_payers where run_id = ${runId} and status = 'failed')
      where id = ${runId} and status in ('queued', 'running')`);
  });
  return { runId, action: 'interrupted', payers: unfinished, reason };
}

/**
 * Runs reconcileRuns every `intervalMs` in the background. Several worker processes may run one each: a short Redis
 * lock makes only one of them act at a time. Errors (Redis or the database still down) wait for the next round.
 */
export function startReconciler(
  deps: ReconcileDeps & {
    intervalMs?: number;
    onActions?: (a: ReconcileAction[]) => void;
    onError?: (err: unknown) => void;
  },
): { stop(): void; runOnce(): Promise<ReconcileAction[]> } {
  const prefix = deps.prefix ?? DEFAULT_QUEUE_PREFIX;
  const interval = deps.intervalMs ?? 30_000;
  const me = randomBytes(6).toString('hex');
  const lockKey = `${prefix}:reconciler-lock`;
  let busy = false;
  const runOnce = async (): Promise<ReconcileAction[]> => {
    if (busy) return [];
    busy = true;
    try {
      const got = await deps.connection.set(lockKey, me, 'PX', Math.max(interval, 5_000), 'NX');
      if (got !== 'OK') return [];
      const actions = await reconcileRuns(deps);
      if (actions.length) deps.onActions?.(actions);
      return actions;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void runOnce().catch((e) => deps.onError?.(e)), interval);
  timer.unref();
  return { stop: () => clearInterval(timer), runOnce };
}
