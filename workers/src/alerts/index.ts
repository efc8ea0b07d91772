import { type Config, type Db, errorText, type Logger } from '@payerguard/core';
import { type Alert, type AlertJobData, alertQueue, raiseAlert } from '@payerguard/core/alerts/raise';
import { getDelivery, recordAlertDelivery } from '@payerguard/core/alerts/store';
import { DEFAULT_QUEUE_PREFIX, QUEUES } from '@payerguard/core/queue/names';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { deliverAlertToWebhook } from '../exports/deliver.js';

export interface AlertWorkers {
  /** Records and queues an alert for every channel subscribed to its event (once per channel and key). */
  raise(alert: Alert): Promise<number>;
  close(): Promise<void>;
}

/**
 * The alert delivery worker: one job per (channel, alert), sent through the shared webhook poster, retried with
 * exponential backoff by BullMQ; each attempt's outcome is written on the delivery so the admin page shows it.
 */
export async function startAlertWorkers(deps: {
  db: Db;
  config: Config;
  logger: Logger;
  prefix?: string;
  retry?: { attempts: number; backoffMs: number };
}): Promise<AlertWorkers> {
  const { db, config } = deps;
  const prefix = deps.prefix ?? DEFAULT_QUEUE_PREFIX;
  const log = deps.logger.child({ component: 'alerts' });
  const connect = () => new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const conns = [connect(), connect()] as const;
  for (const c of conns) c.on('error', (e) => log.warn({ err: e.message }, 'redis connection error'));
  const queue = alertQueue({ connection: conns[1], prefix });

  const worker = new Worker<AlertJobData>(
    QUEUES.alerts,
    async (job: Job<AlertJobData>) => {
      const found = await getDelivery(db, job.data.deliveryId);
      if (!found) throw new UnrecoverableError(`alert delivery ${job.data.deliveryId} no longer exists`);
      const { d, c } = found;
      if (d.status === 'delivered') return { status: 'delivered' };
      const attempts = job.attemptsMade + 1;
      try {
        const destination = await deliverAlertToWebhook(c.url, d.payload, c.secret, {
          deliveryId: d.id,
          event: d.event,
        });
        await recordAlertDelivery(db, d.id, { status: 'delivered', attempts, deliveredAt: new Date() });
        log.info({ deliveryId: d.id, channelId: c.id, event: d.event, destination, attempts }, 'alert delivered');
        return { status: 'delivered' };
      } catch (e) {
        const message = (e as Error).message;
        const final = e instanceof UnrecoverableError || attempts >= (job.opts.attempts ?? 1);
        await recordAlertDelivery(db, d.id, { status: final ? 'failed' : 'retrying', attempts, lastError: message });
        log.warn({ deliveryId: d.id, channelId: c.id, attempts, final, err: message }, 'alert delivery failed');
        throw e;
      }
    },
    { connection: conns[0], prefix, concurrency: 8 },
  );
  worker.on('error', (e) => log.error({ err: errorText(e) }, 'alert worker error'));
  await worker.waitUntilReady();

  let closing: Promise<void> | undefined;
  return {
    raise: (alert) => raiseAlert(db, queue, alert, deps.retry),
    close() {
      closing ??= (async () => {
        await worker.close();
        await queue.close();
        await Promise.all(conns.map((c) => c.quit().catch(() => {})));
      })();
      return closing;
    },
  };
}
