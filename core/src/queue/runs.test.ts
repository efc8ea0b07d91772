import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/index.js';
import { importRegistry } from '../partners/import.js';
import { testDatabase, testQueuePrefix } from '../testing/db.js';
import { HEARTBEAT_TTL_SECONDS, listWorkerHeartbeats, startHeartbeat } from './heartbeat.js';
import { QUEUES } from './names.js';
import {
  ENQUEUE_CHUNK,
  enqueueRun,
  gateJobId,
  getRunProgress,
  listRunPayers,
  listRuns,
  payerJobId,
  startRun,
} from './runs.js';

let database: Database;
let redis: Redis;
const prefix = testQueuePrefix();

beforeAll(async () => {
  database = await testDatabase();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const entries = Array.from({ length: 12 }, (_, i) => {
    const acct = String(400000000000 + i);
    return {
      partnerId: `rp-${i % 10}`,
      partnerName: `RP ${i % 10}`,
      payerAccountId: acct,
      roleArn: `arn:aws:iam::${acct}:role/C`,
      externalId: `x-${i}`,
    };
  });
  await importRegistry(database.db, entries);
});

afterAll(async () => {
  for (const name of [QUEUES.runs, QUEUES.payers]) {
    const q = new Queue(name, { connection: redis, prefix });
    await q.obliterate({ force: true });
    await q.close();
  }
  redis?.disconnect();
  await database?.close();
});

describe('startRun', () => {
  it('writes the run and one queued row per payer, and enqueues a flow: parent waiting on one child per payer', async () => {
    const { runId, total } = await startRun(
      { db: database.db, connection: redis, prefix },
      { trigger: 'manual', requestedBy: 'admin@x' },
    );
    expect(total).toBe(12);
    expect(runId).not.toContain(':');
    const p = await getRunProgress(database.db, runId);
    expect(p).toMatchObject({
      runId,
      status: 'queued',
      total: 12,
      done: 0,
      collected: 0,
      failed: 0,
      queued: 12,
      running: 0,
      trigger: 'manual',
      requestedBy: 'admin@x',
    });
    const rows = await listRunPayers(database.db, runId);
    expect(rows.map((r) => r.payerAccountId)).toHaveLength(12);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['queued']));

    const payers = new Queue(QUEUES.payers, { connection: redis, prefix });
    const runs = new Queue(QUEUES.runs, { connection: redis, prefix });
    try {
      expect((await payers.getJobCounts('wait')).wait).toBe(12);
      const parent = await runs.getJob(runId);
      expect(await parent?.getState()).toBe('waiting-children');
      const child = await payers.getJob(payerJobId(runId, '400000000003'));
      expect(child?.data).toEqual({ runId, partnerId: 'rp-3', payerAccountId: '400000000003' });
      expect(child?.opts.attempts).toBe(3);
      expect(child?.opts.ignoreDependencyOnFailure).toBe(true);
      // The ExternalId stays in the database: jobs carry ids only.
      expect(JSON.stringify(child?.data)).not.toContain('x-3');
    } finally {
      await payers.close();
      await runs.close();
    }
  });

  it('limits a run to the partners asked for', async () => {
    const { runId, total } = await startRun(
      { db: database.db, connection: redis, prefix },
      { trigger: 'cli', partnerIds: ['rp-0', 'rp-1'] },
    );
    expect(total).toBe(4);
    expect((await listRunPayers(database.db, runId)).map((r) => r.partnerId).sort()).toEqual([
      'rp-0',
      'rp-0',
      'rp-1',
      'rp-1',
    ]);
  });

  it('completes at once a run with nothing to collect', async () => {
    const { runId, total } = await startRun(
      { db: database.db, connection: redis, prefix },
      { trigger: 'cli', partnerIds: ['nobody'] },
    );
    expect(total).toBe(0);
    expect(await getRunProgress(database.db, runId)).toMatchObject({
      status: 'completed',
      total: 0,
      error: 'no payers to collect',
    });
  });

  it('lists runs newest first with paging', async () => {
    const all = await listRuns(database.db, { limit: 2 });
    expect(all.total).toBe(3);
    expect(all.runs).toHaveLength(2);
    expect(all.runs[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(all.runs[1]!.createdAt.getTime());
    const next = await listRuns(database.db, { limit: 2, offset: 2 });
    expect(next.runs).toHaveLength(1);
    expect(await getRunProgress(database.db, 'run-missing')).toBeNull();
  });
});

describe('worker heartbeats', () => {
  it('lists live workers under the prefix and forgets a stopped one', async () => {
    const a = startHeartbeat(
      redis,
      prefix,
      { workerId: 'w-a', pid: 1, host: 'h', startedAt: new Date().toISOString(), concurrency: 4 },
      () => 2,
    );
    const b = startHeartbeat(
      redis,
      prefix,
      { workerId: 'w-b', pid: 2, host: 'h', startedAt: new Date().toISOString(), concurrency: 8 },
      () => 0,
    );
    await new Promise((r) => setTimeout(r, 100));
    const live = await listWorkerHeartbeats(redis, prefix);
    expect(live.map((w) => [w.workerId, w.active, w.concurrency])).toEqual([
      ['w-a', 2, 4],
      ['w-b', 0, 8],
    ]);
    const ttl = await redis.ttl(`${prefix}:heartbeat:w-a`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(HEARTBEAT_TTL_SECONDS);
    await a.stop();
    expect((await listWorkerHeartbeats(redis, prefix)).map((w) => w.workerId)).toEqual(['w-b']);
    await b.stop();
    expect(await listWorkerHeartbeats(redis, `${prefix}-other`)).toEqual([]);
  });
});

describe('enqueueRun', () => {
  const deps = () => ({ connection: redis, prefix });
  const fakePayers = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ accountId: String(500000000000 + i), partnerId: `ep-${i % 7}` }));

  it('adds the payers a chunk at a time; the parent waits for exactly them and runs once they are all done', async () => {
    const n = ENQUEUE_CHUNK * 2 + 34;
    const runId = `run-enqueue-${Date.now()}`;
    await enqueueRun(deps(), runId, fakePayers(n));
    const payers = new Queue(QUEUES.payers, { connection: redis, prefix });
    const runs = new Queue(QUEUES.runs, { connection: redis, prefix });
    const worker = new Worker(QUEUES.payers, async () => 'done', {
      connection: new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null }),
      prefix,
      concurrency: 50,
      autorun: false,
    });
    try {
      const parent = (await runs.getJob(runId))!;
      expect(await parent.getState()).toBe('waiting-children');
      expect((await parent.getDependenciesCount()).unprocessed).toBe(n);
      // The gate that held the parent while the chunks arrived is gone.
      expect(await payers.getJob(gateJobId(runId))).toBeUndefined();
      expect((await payers.getJob(payerJobId(runId, '500000000777')))?.data).toEqual({
        runId,
        partnerId: 'ep-0',
        payerAccountId: '500000000777',
      });

      void worker.run();
      for (let i = 0; i < 600 && (await parent.getState()) === 'waiting-children'; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(await parent.getState()).toBe('waiting');
      expect((await parent.getDependenciesCount()).processed).toBe(n);
    } finally {
      await worker.close();
      await worker.disconnect();
      await payers.close();
      await runs.close();
    }
  });

  it('a run whose payers are all done before the gate goes is released at once', async () => {
    const runId = `run-empty-${Date.now()}`;
    await enqueueRun(deps(), runId, []);
    const runs = new Queue(QUEUES.runs, { connection: redis, prefix });
    try {
      expect(await (await runs.getJob(runId))!.getState()).toBe('waiting');
    } finally {
      await runs.close();
    }
  });
});
