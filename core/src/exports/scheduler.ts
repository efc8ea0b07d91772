import { type ConnectionOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../db/index.js';
import { QUEUES } from '../queue/names.js';
import { fireTimes, listSchedules, type Schedule } from './schedules.js';
import type { DeliveryTarget, ExportRecord } from './store.js';

/**
 * BullMQ side of exports, shared by the API (enqueues on-demand exports, keeps schedulers in step with CRUD) and the
 * workers (re-sync on start). The export_schedules table is the truth; job schedulers are derived from it.
 */

export type ExportJobData =
  | { kind: 'export'; exportId: string }
  /** From a job scheduler (slot derived from the cron at run time) or a catch-up after downtime (slot given). */
  | { kind: 'schedule'; scheduleId: string; slot?: string }
  | { kind: 'purge' };

export interface DeliveryJobData {
  exportId: string;
  target: DeliveryTarget;
}

export const SCHEDULER_PREFIX = 'export-schedule:';
export const PURGE_SCHEDULER_ID = 'exports-purge';
export const schedulerIdOf = (scheduleId: string) => `${SCHEDULER_PREFIX}${scheduleId}`;

export interface QueueDeps {
  connection: Redis | ConnectionOptions;
  prefix?: string;
}

export const exportQueue = (d: QueueDeps) =>
  new Queue<ExportJobData>(QUEUES.exports, {
    connection: d.connection as ConnectionOptions,
    ...(d.prefix ? { prefix: d.prefix } : {}),
  });
export const deliveryQueue = (d: QueueDeps) =>
  new Queue<DeliveryJobData>(QUEUES.deliveries, {
    connection: d.connection as ConnectionOptions,
    ...(d.prefix ? { prefix: d.prefix } : {}),
  });

/** Queues the production of a pending export. The job id is the export id, so a double submit runs it once. */
export async function enqueueExport(queue: Queue<ExportJobData>, exportId: string): Promise<void> {
  await queue.add(
    'export',
    { kind: 'export', exportId },
    { jobId: exportId, removeOnComplete: 1000, removeOnFail: 1000 },
  );
}

export interface DeliveryRetry {
  attempts: number;
  /** First retry delay; it doubles each attempt. */
  backoffMs: number;
}
export const DEFAULT_DELIVERY_RETRY: DeliveryRetry = { attempts: 6, backoffMs: 30_000 };

/** One job per pending delivery target; retried with exponential backoff independently of the export. */
export async function enqueueDeliveries(
  queue: Queue<DeliveryJobData>,
  rec: ExportRecord,
  retry = DEFAULT_DELIVERY_RETRY,
): Promise<number> {
  const targets = rec.deliveries.filter((d) => d.status !== 'delivered').map((d) => d.target);
  for (const target of targets)
    await queue.add(
      'deliver',
      { exportId: rec.id, target },
      {
        jobId: `${rec.id}-${target}`,
        attempts: retry.attempts,
        backoff: { type: 'exponential', delay: retry.backoffMs },
        removeOnComplete: 1000,
        removeOnFail: 5000,
      },
    );
  return targets.length;
}

/** Keeps one schedule's job scheduler in step with its row (after create / update / delete). */
export async function syncSchedule(
  queue: Queue<ExportJobData>,
  s: Schedule | { id: string; enabled: false },
): Promise<void> {
  if (!s.enabled) {
    await queue.removeJobScheduler(schedulerIdOf(s.id));
    return;
  }
  const sch = s as Schedule;
  await queue.upsertJobScheduler(
    schedulerIdOf(sch.id),
    { pattern: sch.cron, tz: sch.timezone },
    {
      name: 'schedule',
      data: { kind: 'schedule', scheduleId: sch.id },
      opts: { removeOnComplete: 1000, removeOnFail: 1000 },
    },
  );
}

export interface SyncResult {
  schedulers: number;
  removed: number;
  /** Schedules whose last slot was missed while no worker ran: each gets exactly one catch-up job. */
  caughtUp: string[];
}

/**
 * Re-derives every job scheduler from the table (workers call it on start, so schedules survive a Redis flush or a
 * restart), drops schedulers of deleted or disabled schedules, and queues one catch-up run for a schedule whose most
 * recent slot passed unrun. Idempotent: running it twice changes nothing the second time.
 */
export async function syncAllSchedules(db: Db, queue: Queue<ExportJobData>, now = new Date()): Promise<SyncResult> {
  const schedules = await listSchedules(db);
  const enabled = schedules.filter((s) => s.enabled);
  const want = new Set(enabled.map((s) => schedulerIdOf(s.id)));
  let removed = 0;
  for (const j of await queue.getJobSchedulers(0, -1)) {
    const id = j.id ?? j.key;
    if (id.startsWith(SCHEDULER_PREFIX) && !want.has(id)) {
      await queue.removeJobScheduler(id);
      removed++;
    }
  }
  const caughtUp: string[] = [];
  for (const s of enabled) {
    await syncSchedule(queue, s);
    const { previous } = fireTimes(s.cron, s.timezone, now);
    const since = new Date(s.lastRunAt ?? s.createdAt);
    if (previous > since) {
      // One job per missed slot id: a second sync (or a second worker) adds nothing.
      await queue.add(
        'schedule',
        { kind: 'schedule', scheduleId: s.id, slot: previous.toISOString() },
        { jobId: `catchup-${s.id}-${previous.getTime()}`, removeOnComplete: 1000, removeOnFail: 1000 },
      );
      caughtUp.push(s.id);
    }
  }
  await queue.upsertJobScheduler(PURGE_SCHEDULER_ID, { every: 3_600_000 }, { name: 'purge', data: { kind: 'purge' } });
  return { schedulers: enabled.length, removed, caughtUp };
}
