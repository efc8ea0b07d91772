import { schema } from '@payerguard/core';
import { reconcileRuns } from '@payerguard/core/queue/reconcile';
import { desc } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Proc } from './harness/processes.js';
import { runLedger, type Scenario, startScenario } from './harness/scenario.js';

/**
 * Redis loses every key mid-run (a wipe, a failover to an empty replica). Separate `payerguard worker` and
 * `payerguard collect --wait` processes, a private Redis and PostgreSQL. The reconciler in the workers notices the
 * run has no jobs behind it and re-enqueues the unfinished payers; when it may not (or the workers are gone), the run
 * ends `interrupted` with the reason, so `collect --wait` never waits for ever.
 */
let s: Scenario;
let workers: Proc[];
let firstRunId: string | undefined;

const PARTNERS = 8;

async function newestRunId(): Promise<string | undefined> {
  const [r] = await s.database.db.select().from(schema.runs).orderBy(desc(schema.runs.createdAt)).limit(1);
  return r?.id;
}

async function collected(runId: string): Promise<number> {
  const l = await runLedger(s.database, runId);
  return l.payers.filter((p) => p.status === 'collected' || p.status === 'failed').length;
}

beforeAll(async () => {
  // 120 ms a call: a payer takes a few seconds, so the wipe lands with most payers still to do.
  s = await startScenario({ partners: PARTNERS, seed: 12, latencyMs: 60 });
  workers = [1, 2].map((i) =>
    s.spawn(`worker-${i}`, ['worker', '--concurrency', '2', '--reconcile-every', '1', '--reconcile-grace', '1']),
  );
}, 120_000);

afterAll(async () => s?.close());

describe('Redis loses a running run', () => {
  it('re-enqueues the lost payers, survives a worker drained mid-run, completes with every payer once; collect --wait ends 0', async () => {
    const collect = s.spawn('collect', ['collect', '--wait', '--json', '--timeout', '150']);
    const runId = await eventually('the run to start', newestRunId, 30_000);
    firstRunId = runId;
    await eventually('two payers done', async () => (await collected(runId)) >= 2, 60_000);
    await s.redis.wipe();
    // Once the reconciler has re-enqueued the run, one worker is stopped mid-run (a deploy): it drains (finishes or
    // hands back its payers) and exits 0, and the other worker finishes the run.
    await eventually('the run re-enqueued', async () => (await runLedger(s.database, runId)).run?.recoveryNote, 60_000);
    const [first, second] = workers as [Proc, Proc];
    first.child.kill('SIGTERM');
    expect(await first.exit, first.err()).toBe(0);

    expect(await collect.exit, collect.err()).toBe(0);
    const summary = JSON.parse(collect.out());
    expect(summary.status).toBe('completed');
    expect(summary.total).toBe(s.sim.estate.payers.length);
    expect(summary.collected + summary.failed).toBe(summary.total);

    const l = await runLedger(s.database, runId);
    expect(l.run?.status).toBe('completed');
    expect(l.run?.requeues).toBeGreaterThanOrEqual(1);
    expect(l.run?.recoveryNote).toMatch(/Redis lost/);
    expect(new Set(l.payers.map((p) => p.payerAccountId))).toEqual(
      new Set(s.sim.estate.payers.map((p) => p.accountId)),
    );
    expect(l.payers.every((p) => p.status === 'collected' || p.status === 'failed')).toBe(true);
    // Each payer's evidence stored once, and one snapshot per partner.
    expect(l.evidence).toBe(l.distinctEvidence);
    expect(l.evidence).toBe(l.payers.filter((p) => p.status === 'collected').length);
    expect(l.snapshots).toBe(PARTNERS);
    expect(l.distinctSnapshotPartners).toBe(PARTNERS);
    expect(second.alive(), second.err()).toBe(true);
    second.child.kill('SIGTERM');
    expect(await second.exit, second.err()).toBe(0);
  }, 180_000);

  it('with no re-enqueue left, the run ends interrupted with the reason and collect --wait ends 1 saying so', async () => {
    // No workers now: the run stays queued until its jobs vanish.
    const collect = s.spawn('collect', ['collect', '--wait', '--timeout', '120']);
    const runId = await eventually('the second run', async () => {
      const id = await newestRunId();
      return id !== firstRunId ? id : undefined;
    });
    // Wait until the flow is in Redis (startRun writes the rows first), or the wipe would land before it.
    const connection = new Redis(s.redis.url, { maxRetriesPerRequest: null });
    await eventually(
      'the run job in Redis',
      async () => (await connection.exists(`payerguard:payerguard-runs:${runId}`)) === 1,
    );
    await s.redis.wipe();
    try {
      const actions = await reconcileRuns({ db: s.database.db, connection, graceMs: 0, maxRequeues: 0 });
      expect(actions).toEqual([
        expect.objectContaining({ runId, action: 'interrupted', payers: s.sim.estate.payers.length }),
      ]);
    } finally {
      connection.disconnect();
    }
    expect(await collect.exit).toBe(1);
    expect(collect.err()).toMatch(/was interrupted \(interrupted: Redis lost the run's jobs/);
    expect(collect.err()).toMatch(/start a new run/);
    const l = await runLedger(s.database, runId);
    expect(l.run?.status).toBe('interrupted');
    expect(l.run?.error).toMatch(/noeviction/);
    // Every payer is still accounted for, each with the reason.
    expect(l.payers).toHaveLength(s.sim.estate.payers.length);
    expect(l.payers.every((p) => p.status === 'failed' && p.errorCode === 'Interrupted')).toBe(true);
  }, 150_000);
});
