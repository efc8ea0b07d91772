import { type ConnectionOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../db/index.js';
import { QUEUES } from '../queue/names.js';
import type { AlertEvent } from './events.js';
import type { AlertPayload } from './messages.js';
import { channelsFor, insertDelivery } from './store.js';

export interface AlertJobData {
  deliveryId: string;
}

export interface AlertRetry {
  attempts: number;
  /** First retry delay; it doubles each attempt. */
  backoffMs: number;
}
/** About 5 minutes of retries: 5, 10, 20, 40, 80, 160 s. Alerts are worth little an hour late. */
export const DEFAULT_ALERT_RETRY: AlertRetry = { attempts: 7, backoffMs: 5_000 };

export const alertQueue = (d: { connection: Redis | ConnectionOptions; prefix?: string }) =>
  new Queue<AlertJobData>(QUEUES.alerts, {
    connection: d.connection as ConnectionOptions,
    ...(d.prefix ? { prefix: d.prefix } : {}),
  });

export interface Alert {
  event: AlertEvent;
  /** Same key, same alert: a channel gets it once however often it is raised (SQS redelivery, a re-scored run). */
  dedupeKey: string;
  partnerId: string | null;
  payload: AlertPayload;
}

/** Records one delivery per subscribed channel and queues it. Returns how many deliveries were new. */
export async function raiseAlert(
  db: Db,
  queue: Queue<AlertJobData>,
  alert: Alert,
  retry: AlertRetry = DEFAULT_ALERT_RETRY,
): Promise<number> {
  let added = 0;
  for (const channel of await channelsFor(db, alert.event)) {
    const row = await insertDelivery(db, {
      channelId: channel.id,
      event: alert.event,
      dedupeKey: alert.dedupeKey,
      partnerId: alert.partnerId,
      payload: alert.payload,
    });
    if (!row) continue;
    added++;
    await queue.add(
      'alert',
      { deliveryId: row.id },
      {
        jobId: row.id,
        attempts: retry.attempts,
        backoff: { type: 'exponential', delay: retry.backoffMs },
        removeOnComplete: 1000,
        removeOnFail: 5000,
      },
    );
  }
  return added;
}
