import { createLogger, type Database, loadConfig } from '@payerguard/core';
import { importRegistry } from '@payerguard/core/partners/import';
import { type PayerJobData, QUEUES } from '@payerguard/core/queue/names';
import { startRun, waitForRun } from '@payerguard/core/queue/runs';
import { testDatabase, testQueuePrefix } from '@payerguard/core/testing/db';
import { type Simulator, startSimulator } from '@payerguard/sim';
import { startWorkers } from '@payerguard/workers';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLedger } from './harness/scenario.js';

/**
 * The same payer job delivered twice (a lapsed lock, a re-enqueue racing a slow worker): each payer of the run is
 * queued a second time under another job id, and the run's parent job is delivered again after the run completed.
 * One evidence record per payer, counters not doubled, one snapshot per partner.
 */
let sim: Simulator;
let database: Database;
let redis: Redis;
const prefix = testQueuePrefix();

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIATESTHUB000000001';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-hub-secret';
  sim = await startSimulator({ port: 0, partners: 6, seed: 44, credentialReportDelayMs: 50 });
  database = await testDatabase();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  await importRegistry(database.db, sim.registry());
}, 120_000);

afterAll(async () => {
  for (const name of [QUEUES.runs, QUEUES.payers]) {
    const q = new Queue(name, { connection: redis, prefix });
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
  }
  redis?.disconnect();
  await database?.close();
  await sim?.close();
});

describe('a payer job delivered twice', () => {
  it('stores one evidence record per payer and one snapshot per partner', async () => {
    const { runId, total } = await startRun({ db: database.db, connection: redis, prefix }, { trigger: 'manual' });
    const payers = new Queue<PayerJobData>(QUEUES.payers, { connection: redis, prefix });
    for (const p of sim.estate.payers)
      await payers.add(
        'payer',
        { runId, partnerId: p.partnerId, payerAccountId: p.accountId },
        { jobId: `dup-${runId}-${p.accountId}` },
      );
    const workers = await startWorkers({
      db: database.db,
      config: { ...loadConfig({}), awsEndpointUrl: sim.url },
      logger: createLogger('silent'),
      prefix,
      concurrency: 6,
      exports: false,
      reconcileIntervalMs: 0,
      collect: { endpoint: sim.url, timeoutMs: 5_000, maxAttempts: 2 },
    });
    try {
      const p = await waitForRun(database.db, runId, { timeoutMs: 120_000 });
      expect(p?.status).toBe('completed');
      // Let every duplicate finish too.
      for (let i = 0; i < 200 && ((await payers.getJobCounts('active', 'wait', 'delayed')).active ?? 0) > 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      // Every delivery ran to its end (a payer the role denies fails its job: that is recorded, not retried).
      const counts = await payers.getJobCounts('completed', 'failed');
      expect((counts.completed ?? 0) + (counts.failed ?? 0)).toBe(2 * total);

      // The parent delivered again after the run completed: scoring is not redone, snapshots not doubled.
      const runsQueue = new Queue(QUEUES.runs, { connection: redis, prefix });
      await runsQueue.add('run', { runId }, { jobId: `dup-${runId}` });
      const deadline = Date.now() + 30_000;
      while (((await runsQueue.getJobCounts('completed')).completed ?? 0) < 2 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      await runsQueue.close();
    } finally {
      await workers.close();
      await payers.close();
    }
    const l = await runLedger(database, runId);
    expect(l.payers).toHaveLength(total);
    expect(l.run?.collected).toBe(l.payers.filter((p) => p.status === 'collected').length);
    expect((l.run?.collected ?? 0) + (l.run?.failed ?? 0)).toBe(total);
    expect(l.evidence).toBe(l.distinctEvidence);
    expect(l.evidence).toBe(total);
    expect(l.snapshots).toBe(sim.estate.partners.length);
    expect(l.distinctSnapshotPartners).toBe(sim.estate.partners.length);
  }, 180_000);
});
