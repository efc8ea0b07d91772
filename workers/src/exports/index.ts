import type { S3Client } from '@aws-sdk/client-s3';
import { type Config, type Db, errorText, type Logger } from '@payerguard/core';
import {
  DEFAULT_DELIVERY_RETRY,
  type DeliveryJobData,
  type DeliveryRetry,
  deliveryQueue,
  type ExportJobData,
  enqueueDeliveries,
  enqueueExport,
  exportQueue,
  type SyncResult,
  syncAllSchedules,
} from '@payerguard/core/exports/scheduler';
import {
  claimSlot,
  fireTimes,
  getSchedule,
  type ScheduleDelivery,
  webhookSecretOf,
} from '@payerguard/core/exports/schedules';
import {
  createExport,
  type DeliveryState,
  getExport,
  listExports,
  produceExport,
  purgeExpiredExports,
  recordDelivery,
} from '@payerguard/core/exports/store';
import { DEFAULT_QUEUE_PREFIX, QUEUES } from '@payerguard/core/queue/names';
import { type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { deliverToS3, deliverToWebhook, s3ClientFor } from './deliver.js';

/**
 * Exports left pending by a process that died mid-export (its slot is already claimed, so no schedule job would
 * redo them) are queued again. The export id is the job id: one still queued or running is not added twice.
 */
async function resumeStranded(db: Db, queue: Queue<ExportJobData>, at: Date): Promise<number> {
  const stale = (await listExports(db, { limit: 500 })).filter(
    (e) => e.status === 'pending' && at.getTime() - Date.parse(e.createdAt) > STRANDED_AFTER_MS,
  );
  for (const e of stale) await enqueueExport(queue, e.id);
  return stale.length;
}

const STRANDED_AFTER_MS = 15 * 60_000;

export interface ExportWorkerDeps {
  db: Db;
  config: Config;
  logger: Logger;
  prefix?: string;
  /** Delivery retry policy (tests shorten the backoff). */
  deliveryRetry?: DeliveryRetry;
  /** S3 client for deliveries; defaults to one built from config (AWS_ENDPOINT_URL honoured). */
  s3?: S3Client;
  /** The clock schedules are judged by (tests). */
  now?: () => Date;
}

export interface ExportWorkers {
  /** Re-derives job schedulers from export_schedules and queues catch-ups (also done once on start). */
  sync(): Promise<SyncResult>;
  close(): Promise<void>;
}

/**
 * Starts the export workers: the export queue (on-demand exports, scheduled runs, retention purge) and the delivery
 * queue (S3 / webhook, retried with backoff). On start it re-syncs the schedulers from the table, so schedules survive
 * restarts and a slot missed while no worker ran is run once.
 */
export async function startExportWorkers(deps: ExportWorkerDeps): Promise<ExportWorkers> {
  const { db, config } = deps;
  const prefix = deps.prefix ?? DEFAULT_QUEUE_PREFIX;
  const now = deps.now ?? (() => new Date());
  const retry = deps.deliveryRetry ?? DEFAULT_DELIVERY_RETRY;
  const log = deps.logger.child({ component: 'export-workers' });
  const connect = () => new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const conns = [connect(), connect(), connect()] as const;
  for (const c of conns) c.on('error', (e) => log.warn({ err: e.message }, 'redis connection error'));
  const exportsQ = exportQueue({ connection: conns[2], prefix });
  const deliveriesQ = deliveryQueue({ connection: conns[2], prefix });
  const s3 = deps.s3 ?? s3ClientFor(config.awsRegion, config.awsEndpointUrl);

  async function produceAndDeliver(exportId: string): Promise<void> {
    const rec = await produceExport(db, exportId);
    if (rec.status !== 'ready') {
      log.warn({ exportId, error: rec.error }, 'export failed');
      return;
    }
    const n = await enqueueDeliveries(deliveriesQ, rec, retry);
    log.info({ exportId, format: rec.format, bytes: rec.sizeBytes, deliveries: n }, 'export ready');
  }

  async function runSchedule(data: { scheduleId: string; slot?: string }): Promise<string | null> {
    const s = await getSchedule(db, data.scheduleId);
    if (!s?.enabled) return null;
    const at = now();
    const slot = data.slot ? new Date(data.slot) : fireTimes(s.cron, s.timezone, at).previous;
    if (!(await claimSlot(db, s.id, slot, at))) {
      log.debug({ scheduleId: s.id, slot: slot.toISOString() }, 'schedule slot already run');
      return null;
    }
    const targets = (Object.keys(s.delivery) as (keyof ScheduleDelivery)[]).filter((k) => s.delivery[k]);
    const rec = await createExport(db, {
      format: s.format,
      scope: s.scope,
      requestedBy: `schedule:${s.id}`,
      scheduleId: s.id,
      retentionDays: s.retentionDays,
      deliveries: targets,
    });
    await produceAndDeliver(rec.id);
    return rec.id;
  }

  const exportWorker = new Worker<ExportJobData>(
    QUEUES.exports,
    async (job: Job<ExportJobData>) => {
      const d = job.data;
      if (d.kind === 'export') return produceAndDeliver(d.exportId);
      if (d.kind === 'schedule') return runSchedule(d);
      if (d.kind === 'purge') {
        const n = await purgeExpiredExports(db, now());
        if (n) log.info({ purged: n }, 'expired exports purged');
        return n;
      }
      throw new UnrecoverableError(`unknown export job ${JSON.stringify(d).slice(0, 200)}`);
    },
    // Exports are heavy (a whole estate per job); two at once keeps one process responsive.
    { connection: conns[0], prefix, concurrency: 2 },
  );

  const deliveryWorker = new Worker<DeliveryJobData>(
    QUEUES.deliveries,
    async (job: Job<DeliveryJobData>) => {
      const { exportId, target } = job.data;
      const rec = await getExport(db, exportId);
      if (rec?.status !== 'ready') throw new UnrecoverableError(`export ${exportId} is not ready (or was purged)`);
      const schedule = rec.scheduleId ? await getSchedule(db, rec.scheduleId) : undefined;
      const attempts = job.attemptsMade + 1;
      const state = (s: Partial<DeliveryState>): DeliveryState => ({
        target,
        status: 'pending',
        attempts,
        lastError: null,
        deliveredAt: null,
        ...s,
      });
      try {
        let destination: string;
        if (target === 's3') {
          if (!schedule?.delivery.s3) throw new UnrecoverableError('the schedule has no S3 destination any more');
          destination = await deliverToS3(db, s3, rec, schedule.delivery.s3);
        } else {
          const secret = rec.scheduleId ? await webhookSecretOf(db, rec.scheduleId) : null;
          if (!schedule?.delivery.webhook || !secret)
            throw new UnrecoverableError('the schedule has no webhook (or secret) any more');
          destination = await deliverToWebhook(db, rec, schedule.delivery.webhook.url, secret, {
            allowPrivateNetworks: config.deliveryAllowPrivateNetworks,
          });
        }
        await recordDelivery(
          db,
          exportId,
          state({ status: 'delivered', deliveredAt: now().toISOString(), destination }),
        );
        log.info({ exportId, target, destination, attempts }, 'export delivered');
      } catch (e) {
        const message = (e as Error).message;
        const final = e instanceof UnrecoverableError || attempts >= (job.opts.attempts ?? 1);
        await recordDelivery(db, exportId, state({ status: final ? 'failed' : 'retrying', lastError: message }));
        log.warn({ exportId, target, attempts, final, err: message }, 'export delivery failed');
        throw e;
      }
    },
    { connection: conns[1], prefix, concurrency: 4 },
  );

  for (const w of [exportWorker, deliveryWorker])
    w.on('error', (e) => log.error({ err: errorText(e) }, 'export worker error'));
  exportWorker.on('failed', (job, e) => log.error({ jobId: job?.id, err: errorText(e) }, 'export job failed'));
  await Promise.all([exportWorker.waitUntilReady(), deliveryWorker.waitUntilReady()]);

  const sync = () => syncAllSchedules(db, exportsQ, now());
  const first = await sync();
  const resumed = await resumeStranded(db, exportsQ, now());
  log.info({ ...first, resumed }, 'export workers started, schedules synced');

  let closing: Promise<void> | undefined;
  return {
    sync,
    close() {
      closing ??= (async () => {
        await Promise.all([exportWorker.close(), deliveryWorker.close()]);
        await Promise.all([exportsQ.close(), deliveriesQ.close()]);
        await Promise.all(conns.map((c) => c.quit().catch(() => {})));
      })();
      return closing;
    },
  };
}
