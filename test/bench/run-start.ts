/**
 * What starting a run costs the process that starts it (the API, the CLI or the scheduler): enqueueing one BullMQ job
 * per payer under the run's parent, on Redis alone. Prints
 *   {"bench":"run-start", payers, seconds, peakRssDeltaMb, heapAfterMb}
 * peakRssDeltaMb must not grow with the estate (core/src/queue/runs.ts enqueueRun adds the payers a chunk at a time).
 * BENCH_RUN_START_PAYERS (default 10000).
 */
import { QUEUES } from '@payerguard/core/queue/names';
import { enqueueRun } from '@payerguard/core/queue/runs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { peakSampler, r2 } from './_processes.js';

const n = Number(process.env.BENCH_RUN_START_PAYERS ?? 10_000);
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const prefix = `bench-run-start-${process.pid}`;
const payers = Array.from({ length: n }, (_, i) => ({
  accountId: String(100_000_000_000 + i),
  partnerId: `partner-${i}`,
}));
try {
  global.gc?.();
  const rss0 = process.memoryUsage().rss / 1024 / 1024;
  const rss = peakSampler(() => process.memoryUsage().rss / 1024 / 1024, 20);
  const t0 = performance.now();
  await enqueueRun({ connection: redis, prefix }, 'run-bench-start', payers);
  const seconds = (performance.now() - t0) / 1000;
  const peak = rss.peak();
  rss.stop();
  console.log(
    JSON.stringify({
      bench: 'run-start',
      payers: n,
      seconds: r2(seconds),
      peakRssDeltaMb: Math.round(peak - rss0),
      heapAfterMb: Math.round(process.memoryUsage().heapUsed / 1024 / 1024),
    }),
  );
} finally {
  for (const name of [QUEUES.runs, QUEUES.payers]) {
    const q = new Queue(name, { connection: redis, prefix });
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
  }
  redis.disconnect();
}
