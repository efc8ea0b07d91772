import type { Redis } from 'ioredis';

/**
 * What the root-event consumer last saw of the hub queue, written to Redis by the worker and read by /api/health.
 * It expires: a consumer that stopped reporting is shown as not polling rather than as fine.
 */
export interface RootEventsStatus {
  /** Whether the last receive from the queue succeeded. */
  ok: boolean;
  /** The queue polled (a URL naming the account and queue: no secret). */
  queueUrl: string;
  lastPollAt: string;
  lastOkAt: string | null;
  lastError: string | null;
  received: number;
  stored: number;
  duplicates: number;
  rejected: number;
}

/** Longer than the longest poll (20 s) plus the longest back-off (30 s). */
export const ROOT_EVENTS_STATUS_TTL_SECONDS = 90;

const key = (prefix: string) => `${prefix}:root-events:status`;

export async function writeRootEventsStatus(redis: Redis, prefix: string, s: RootEventsStatus): Promise<void> {
  await redis.set(key(prefix), JSON.stringify(s), 'EX', ROOT_EVENTS_STATUS_TTL_SECONDS);
}

export async function readRootEventsStatus(redis: Redis, prefix: string): Promise<RootEventsStatus | null> {
  const raw = await redis.get(key(prefix));
  if (!raw) return null;
  try {
    return JSON.parse(raw) as RootEventsStatus;
  } catch {
    return null;
  }
}
