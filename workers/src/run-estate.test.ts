import { createLogger, type Database, loadConfig, type PayerEvidence, schema } from '@payerguard/core';
import { importRegistry } from '@payerguard/core/partners/import';
import { listWorkerHeartbeats } from '@payerguard/core/queue/heartbeat';
import { QUEUES } from '@payerguard/core/queue/names';
import { getRunProgress, listRunPayers, type RunProgress, startRun } from '@payerguard/core/queue/runs';
import { testDatabase, testQueuePrefix } from '@payerguard/core/testing/db';
import { type Simulator, startSimulator } from '@payerguard/sim';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers } from './index.js';

/** A whole collection run of a ~40-partner estate: simulator over HTTP, real Redis/BullMQ, PGlite (or Postgres). */
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = testQueuePrefix();
let sim: Simulator;
let database: Database;
let redis: Redis;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIATESTHUB000000001';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-hub-secret';
  // Latency makes the run last long enough to watch it in flight, as against a real AWS.
  [sim, database] = await Promise.all([
    startSimulator({ port: 0, partners: 40, seed: 5, latencyMs: 15 }),
    testDatabase(),
  ]);
  redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  await importRegistry(database.db, sim.registry());
});

afterAll(async () => {
  for (const name of [QUEUES.runs, QUEUES.payers]) {
    const q = new Queue(name, { connection: redis, prefix });
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
  }
  redis?.disconnect();
  await Promise.all([sim?.close(), database?.close()]);
});

describe('a collection run of a 40-partner estate', () => {
  it('collects every payer, fails lockouts with AccessDenied (evidence kept), shows progress mid-run, and scores the run', async () => {
    const payers = sim.registry();
    const lockouts = new Set(
      sim.estate.payers
        .filter((p) => p.profiles.some((x) => x === 'lockout' || x === 'lockout-external-id'))
        .map((p) => p.accountId),
    );
    expect(lockouts.size).toBeGreaterThanOrEqual(2);

    const workers = await startWorkers({
      db: database.db,
      config: { ...loadConfig({}), redisUrl, awsEndpointUrl: sim.url },
      logger: createLogger('silent'),
      prefix,
      concurrency: 6,
      collect: { endpoint: sim.url, timeoutMs: 5_000 },
    });
    try {
      expect((await listWorkerHeartbeats(redis, prefix)).map((w) => w.workerId)).toContain(workers.workerId);
      const t0 = Date.now();
      const { runId, total } = await startRun(
        { db: database.db, connection: redis, prefix },
        { trigger: 'manual', requestedBy: 'test' },
      );
      expect(total).toBe(payers.length);

      const seen: RunProgress[] = [];
      let p: RunProgress | null = null;
      // ~70 AWS calls per payer since every enabled region is read (17 here), each payer's controls evaluated on
      // threads, the simulator and PGlite in this same process: the run is CPU-bound, 30-60 s on a loaded 2-core box.
      while (Date.now() - t0 < 120_000) {
        p = await getRunProgress(database.db, runId);
        if (p) seen.push(p);
        if (p?.status === 'completed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const wall = Date.now() - t0;
      expect(p?.status).toBe('completed');
      // Progress was readable while the run was in flight: some payers done, others not yet.
      const mid = seen.find((s) => s.status === 'running' && s.done > 0 && s.done < s.total);
      expect(mid).toBeDefined();
      expect(seen.some((s) => s.running > 0)).toBe(true);

      expect(p).toMatchObject({
        total: payers.length,
        failed: lockouts.size,
        collected: payers.length - lockouts.size,
        queued: 0,
        running: 0,
      });
      const rows = await listRunPayers(database.db, runId);
      expect(rows.map((r) => r.payerAccountId).sort()).toEqual(payers.map((e) => e.payerAccountId).sort());
      for (const r of rows) {
        if (lockouts.has(r.payerAccountId)) {
          expect(r).toMatchObject({ status: 'failed', errorCode: 'AccessDenied', attempts: 1 });
        } else expect(r.status).toBe('collected');
      }

      const ev = await database.db.select().from(schema.evidence).where(eq(schema.evidence.runId, runId));
      expect(ev).toHaveLength(payers.length);
      for (const row of ev) {
        const data = row.data as PayerEvidence;
        expect(data.access.status).toBe(lockouts.has(row.payerAccountId) ? 'denied' : 'ok');
      }
      const stored = JSON.stringify(ev);
      for (const e of payers) expect(stored).not.toContain(e.externalId);

      const [run] = await database.db.select().from(schema.runs).where(eq(schema.runs.id, runId));
      expect(run).toMatchObject({
        collected: payers.length - lockouts.size,
        failed: lockouts.size,
        status: 'completed',
      });
      // The engine scored it: one snapshot per partner, unless scoring failed (then the reason is on the run).
      const snaps = await database.db.select().from(schema.snapshots).where(eq(schema.snapshots.runId, runId));
      if (run?.error) expect(run.error).toMatch(/^scoring failed/);
      else expect(new Set(snaps.map((s) => s.partnerId)).size).toBe(new Set(payers.map((e) => e.partnerId)).size);
      console.log(
        JSON.stringify({ bench: 'run-40', payers: payers.length, wallMs: wall, scoringError: run?.error ?? null }),
      );
    } finally {
      await workers.close();
    }
    expect((await listWorkerHeartbeats(redis, prefix)).length).toBe(0);
  }, 180_000);
});
