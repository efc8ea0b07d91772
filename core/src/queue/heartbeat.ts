import type { Redis } from 'ioredis';

/** A worker's heartbeat lives this long: a worker silent for longer is gone. */
export const HEARTBEAT_TTL_SECONDS = 30;
const BEAT_EVERY_MS = 10_000;

export interface WorkerHeartbeat {
  workerId: string;
  pid: number;
  host: string;
  startedAt: string;
  at: string;
  concurrency: number;
  /** Payer jobs in flight at the last beat. */
  active: number;
}

const key = (prefix: string, workerId: string) => `${prefix}:heartbeat:${workerId}`;

/** Writes `${prefix}:heartbeat:<workerId>` now and every 10 s (TTL 30 s); stop() removes it. */
export function startHeartbeat(
  redis: Redis,
  prefix: string,
  info: Omit<WorkerHeartbeat, 'at' | 'active'>,
  active: () => number,
): { stop(): Promise<void> } {
  const beat = () =>
    redis
      .set(
        key(prefix, info.workerId),
        JSON.stringify({ ...info, at: new Date().toISOString(), active: active() }),
        'EX',
        HEARTBEAT_TTL_SECONDS,
      )
      .catch(() => {
        // A missed beat is not fatal: the next one may land; /health shows the worker as gone meanwhile.
      });
  void beat();
  const timer = setInterval(beat, BEAT_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await redis.del(key(prefix, info.workerId)).catch(() => {});
    },
  };
}

/** Live workers (heartbeat younger than its TTL), for the API's /health. */
export async function listWorkerHeartbeats(redis: Redis, prefix: string): Promise<WorkerHeartbeat[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:heartbeat:*`, 'COUNT', 200);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0' && keys.length < 10_000);
  if (!keys.length) return [];
  const values = await redis.mget(...keys);
  const out: WorkerHeartbeat[] = [];
  for (const v of values) {
    if (!v) continue;
    try {
      out.push(JSON.parse(v) as WorkerHeartbeat);
    } catch {
      // A foreign value under our key pattern: not a worker.
    }
  }
  return out.sort((a, b) => a.workerId.localeCompare(b.workerId));
}
