import { listWorkerHeartbeats, type WorkerHeartbeat } from '@payerguard/core/queue/heartbeat';
import { DEFAULT_QUEUE_PREFIX } from '@payerguard/core/queue/names';
import type { Redis } from 'ioredis';

export async function workerHeartbeats(
  redis: Redis,
  prefix?: string,
): Promise<{ alive: number; workers: WorkerHeartbeat[] }> {
  const workers = await listWorkerHeartbeats(redis, prefix ?? DEFAULT_QUEUE_PREFIX);
  return { alive: workers.length, workers };
}
