import type { Config } from '@payerguard/core';
import { DEFAULT_QUEUE_PREFIX } from '@payerguard/core/queue/names';
import { type RootEventsStatus, readRootEventsStatus } from '@payerguard/core/root-events/status';
import type { Redis } from 'ioredis';

export type RootEventsHealth =
  | { configured: false }
  | ({ configured: true; ok: boolean; error?: string } & Partial<RootEventsStatus>);

/**
 * The hub queue of live root events as the worker that polls it last reported it. No report within its TTL means no
 * worker is polling: shown as not ok, never as fine.
 */
export async function rootEventsHealth(
  config: Config,
  redis: Redis | undefined,
  prefix = DEFAULT_QUEUE_PREFIX,
): Promise<RootEventsHealth> {
  if (!config.rootEventsQueueUrl) return { configured: false };
  const status = redis ? await readRootEventsStatus(redis, prefix).catch(() => null) : null;
  if (!status)
    return {
      configured: true,
      ok: false,
      queueUrl: config.rootEventsQueueUrl,
      error: 'no worker has polled the root event queue in the last 90 seconds',
    };
  return { configured: true, ...status, ...(status.ok ? {} : { error: status.lastError ?? 'queue unreachable' }) };
}
