import { createServer, type Server } from 'node:http';
import { type Database, loadConfig, schema } from '@payerguard/core';
import { createLogger } from '@payerguard/core/logger';
import { importRegistry } from '@payerguard/core/partners/import';
import { QUEUES } from '@payerguard/core/queue/names';
import { getRunProgress, listRunPayers, startRun } from '@payerguard/core/queue/runs';
import { testDatabase, testQueuePrefix } from '@payerguard/core/testing/db';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers } from './index.js';

/**
 * The run pipeline against endpoints that misbehave at the network level (no simulator needed): a refused
 * connection and a server that never answers. The simulator-backed run is in run-estate.test.ts.
 */
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = testQueuePrefix();
let database: Database;
let redis: Redis;
let hung: Server;
let hungUrl: string;
const scored: string[] = [];

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIATESTHUB000000001';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-hub-secret';
  database = await testDatabase();
  redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  hung = createServer(() => {
    // Accepts the request and never answers: a hung AWS endpoint.
  });
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
  hungUrl = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
});

afterAll(async () => {
  for (const name of [QUEUES.runs, QUEUES.payers]) {
    const q = new Queue(name, { connection: redis, prefix });
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
  }
  hung?.closeAllConnections();
  hung?.close();
  redis?.disconnect();
  await database?.close();
});

async function waitFor(runId: string, ms: number) {
  const until = Date.now() + ms;
  for (;;) {
    const p = await getRunProgress(database.db, runId);
    if (p?.status === 'completed' || Date.now() > until) return p;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a run whose AWS endpoint cannot be reached', () => {
  it('retries each payer, records it failed with the error, still completes and scores the run', async () => {
    await importRegistry(database.db, [
      {
        partnerId: 'net-a',
        partnerName: 'A',
        payerAccountId: '500000000001',
        roleArn: 'arn:aws:iam::500000000001:role/C',
        externalId: 'ext-secret-a',
      },
      {
        partnerId: 'net-b',
        partnerName: 'B',
        payerAccountId: '500000000002',
        roleArn: 'arn:aws:iam::500000000002:role/C',
        externalId: 'ext-secret-b',
      },
    ]);
    const config = { ...loadConfig({}), redisUrl };
    const workers = await startWorkers({
      db: database.db,
      config,
      logger: createLogger('silent'),
      prefix,
      concurrency: 4,
      // Port 1 refuses connections at once.
      collect: { endpoint: 'http://127.0.0.1:1', timeoutMs: 500, maxAttempts: 1 },
      scoreRun: async (_db, runId) => {
        scored.push(runId);
      },
    });
    try {
      const { runId } = await startRun({ db: database.db, connection: redis, prefix }, { trigger: 'manual' });
      const p = await waitFor(runId, 40_000);
      expect(p).toMatchObject({ status: 'completed', total: 2, collected: 0, failed: 2, queued: 0, running: 0 });
      expect(scored).toContain(runId);
      const rows = await listRunPayers(database.db, runId);
      for (const r of rows) {
        expect(r.status).toBe('failed');
        // Three attempts: a network failure is transient.
        expect(r.attempts).toBe(3);
        expect(r.errorCode).toMatch(/ECONNREFUSED|Error/);
      }
      const ev = await database.db.select().from(schema.evidence).where(eq(schema.evidence.runId, runId));
      expect(ev).toHaveLength(2);
      const data = ev[0]!.data as { access: { status: string }; iam?: unknown };
      expect(data.access.status).toBe('error');
      expect(data.iam).toBeUndefined();
      expect(JSON.stringify(ev)).not.toContain('ext-secret');
      const [payer] = await database.db.select().from(schema.payers).where(eq(schema.payers.accountId, '500000000001'));
      expect(payer?.lastAccessError).toBeTruthy();
      const [run] = await database.db.select().from(schema.runs).where(eq(schema.runs.id, runId));
      expect(run?.finishedAt).toBeInstanceOf(Date);
      expect(run?.error).toBeNull();
    } finally {
      await workers.close();
    }
  });

  it('times out a hung endpoint instead of hanging the job, and records a failed scoring on the run', async () => {
    const workers = await startWorkers({
      db: database.db,
      config: { ...loadConfig({}), redisUrl },
      logger: createLogger('silent'),
      prefix,
      concurrency: 4,
      collect: { endpoint: hungUrl, timeoutMs: 300, maxAttempts: 1 },
      scoreRun: async () => {
        throw new Error('engine exploded');
      },
    });
    try {
      const started = Date.now();
      const { runId } = await startRun(
        { db: database.db, connection: redis, prefix },
        { trigger: 'manual', partnerIds: ['net-a'] },
      );
      const p = await waitFor(runId, 40_000);
      expect(p).toMatchObject({ status: 'completed', total: 1, failed: 1, error: 'scoring failed: engine exploded' });
      // 3 attempts x ~0.9 s budget + 2 s + 4 s backoff: bounded, nowhere near a hang.
      expect(Date.now() - started).toBeLessThan(20_000);
      const [row] = await listRunPayers(database.db, runId);
      expect(row).toMatchObject({ status: 'failed', errorCode: 'TimeoutError' });
    } finally {
      await workers.close();
    }
  });

  it("hands back, without spending an attempt, a job whose run is another deployment's", async () => {
    const workers = await startWorkers({
      db: database.db,
      config: { ...loadConfig({}), redisUrl },
      logger: createLogger('silent'),
      prefix,
      concurrency: 2,
    });
    const payers = new Queue(QUEUES.payers, { connection: redis, prefix });
    try {
      const job = await payers.add(
        'payer',
        { runId: 'run-elsewhere', partnerId: 'x', payerAccountId: '599999999999' },
        { jobId: 'run-elsewhere-599999999999', attempts: 3 },
      );
      let state = '';
      for (let i = 0; i < 50 && state !== 'delayed'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        state = await job.getState();
      }
      expect(state).toBe('delayed');
      const again = await payers.getJob(job.id!);
      expect(again?.attemptsMade).toBe(0);
      expect(await getRunProgress(database.db, 'run-elsewhere')).toBeNull();
      await again?.remove();
    } finally {
      await payers.close();
      await workers.close();
    }
  });
});
