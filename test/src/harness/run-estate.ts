import { createLogger, type Database, loadConfig } from '@payerguard/core';
import { findingsForPartner, type StoredFinding } from '@payerguard/core/engine/score-run';
import { importRegistry } from '@payerguard/core/partners/import';
import { QUEUES } from '@payerguard/core/queue/names';
import { isFinished, startRun, waitForRun } from '@payerguard/core/queue/runs';
import { testDatabase, testQueuePrefix } from '@payerguard/core/testing/db';
import { type Simulator, startSimulator } from '@payerguard/sim';
import { startWorkers } from '@payerguard/workers';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

export interface EstateRun {
  sim: Simulator;
  database: Database;
  runId: string;
  /** The run's stored findings, by payer account id. */
  findingsByPayer: Map<string, StoredFinding[]>;
  close(): Promise<void>;
}

/**
 * One whole collection run through the production path: the simulator over HTTP, the real SDK collectors, a BullMQ
 * run on its own queue prefix, scoreRun, stored findings. `prepare` runs before the run (inject faults there).
 */
export async function runEstate(opts: {
  partners: number;
  seed: number;
  concurrency?: number;
  collect?: { timeoutMs?: number; maxAttempts?: number };
  prepare?: (sim: Simulator) => void;
  timeoutMs?: number;
  /** AWS_REGION the workers run with (default us-east-1). */
  region?: string;
}): Promise<EstateRun> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = testQueuePrefix();
  process.env.AWS_ACCESS_KEY_ID = 'AKIATESTHUB000000001';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-hub-secret';
  const sim = await startSimulator({ port: 0, partners: opts.partners, seed: opts.seed, credentialReportDelayMs: 50 });
  opts.prepare?.(sim);
  const database = await testDatabase();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  await importRegistry(database.db, sim.registry());
  const workers = await startWorkers({
    db: database.db,
    config: { ...loadConfig(opts.region ? { AWS_REGION: opts.region } : {}), redisUrl, awsEndpointUrl: sim.url },
    logger: createLogger('silent'),
    prefix,
    concurrency: opts.concurrency ?? 6,
    exports: false,
    collect: { endpoint: sim.url, timeoutMs: 5_000, maxAttempts: 2, ...opts.collect },
  });
  let runId: string;
  try {
    ({ runId } = await startRun({ db: database.db, connection: redis, prefix }, { trigger: 'manual' }));
    const p = await waitForRun(database.db, runId, { timeoutMs: opts.timeoutMs ?? 150_000 });
    if (!isFinished(p)) throw new Error(`run ${runId} did not finish: ${JSON.stringify(p)}`);
  } finally {
    await workers.close();
  }
  const findingsByPayer = new Map<string, StoredFinding[]>();
  for (const partner of sim.estate.partners)
    for (const f of await findingsForPartner(database.db, partner.id, runId))
      findingsByPayer.set(f.payerAccountId, [...(findingsByPayer.get(f.payerAccountId) ?? []), f]);
  return {
    sim,
    database,
    runId,
    findingsByPayer,
    async close() {
      for (const name of [QUEUES.runs, QUEUES.payers]) {
        const q = new Queue(name, { connection: redis, prefix });
        await q.obliterate({ force: true }).catch(() => {});
        await q.close();
      }
      redis.disconnect();
      await database.close();
      await sim.close();
    },
  };
}
