import { createLogger, type Database, loadConfig, schema } from '@payerguard/core';
import { findingsForPartner, latestSnapshots, type StoredFinding } from '@payerguard/core/engine/score-run';
import { importRegistry } from '@payerguard/core/partners/import';
import { QUEUES } from '@payerguard/core/queue/names';
import { getRunProgress, startRun } from '@payerguard/core/queue/runs';
import { testDatabase, testQueuePrefix } from '@payerguard/core/testing/db';
import { type Simulator, startSimulator } from '@payerguard/sim';
import { startWorkers } from '@payerguard/workers';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * AWS misbehaving during a whole run (sim faults over HTTP -> collectors -> BullMQ run -> scoreRun): every payer is
 * still in the run, each control whose evidence was lost is "unknown" (never "pass"), and payers that were not
 * touched are judged as usual despite throttling across the estate.
 */
const FAULTS = [
  {
    kind: 'hang',
    api: 'iam:GetAccountAuthorizationDetails',
    controls: ['BOUNDARY-COVERAGE', 'BOUNDARY-EFFECTIVENESS'],
  },
  { kind: 'malformed', api: 'cloudtrail:LookupEvents', controls: ['ROOT-SIGNIN-MFA', 'ROOT-ACTIVITY-ROOT-ONLY-TASKS'] },
  { kind: 'server-error', api: 'account:GetAlternateContact', controls: ['OWN-BILLING-CONTACT'] },
  { kind: 'access-denied', api: 'iam:GetAccountSummary', controls: ['ROOT-MFA', 'ROOT-NO-ACCESS-KEYS'] },
] as const;

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = testQueuePrefix();
let sim: Simulator;
let database: Database;
let redis: Redis;
let runId: string;
const faulted = new Map<string, (typeof FAULTS)[number]>();
let untouched: string[] = [];
const findings = new Map<string, StoredFinding[]>();

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIATESTHUB000000002';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-hub-secret';
  sim = await startSimulator({ port: 0, partners: 40, seed: 31, credentialReportDelayMs: 50 });
  const compliant = sim.estate.payers.filter((p) => p.profiles.length === 1 && p.profiles[0] === 'compliant');
  expect(compliant.length).toBeGreaterThanOrEqual(FAULTS.length + 2);
  FAULTS.forEach((f, i) => {
    const payer = compliant[i]!;
    sim.faults.add({ accountId: payer.accountId, api: f.api, kind: f.kind });
    faulted.set(payer.accountId, f);
  });
  untouched = compliant.slice(FAULTS.length).map((p) => p.accountId);
  // Throttling everywhere, at a rate the SDK's retries absorb.
  sim.faults.add({ kind: 'throttle', rate: 0.05 });

  database = await testDatabase();
  redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  await importRegistry(database.db, sim.registry());
  const workers = await startWorkers({
    db: database.db,
    config: { ...loadConfig({}), redisUrl, awsEndpointUrl: sim.url },
    logger: createLogger('silent'),
    prefix,
    concurrency: 8,
    exports: false,
    collect: { endpoint: sim.url, timeoutMs: 2_000, maxAttempts: 4 },
  });
  try {
    ({ runId } = await startRun({ db: database.db, connection: redis, prefix }, { trigger: 'manual' }));
    const until = Date.now() + 150_000;
    for (;;) {
      const p = await getRunProgress(database.db, runId);
      if (p?.status === 'completed' || p?.status === 'failed') break;
      if (Date.now() > until) throw new Error(`run ${runId} did not finish: ${JSON.stringify(p)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await workers.close();
  }
  for (const partner of sim.estate.partners)
    for (const f of await findingsForPartner(database.db, partner.id, runId))
      findings.set(f.payerAccountId, [...(findings.get(f.payerAccountId) ?? []), f]);
}, 200_000);

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

describe('a run while AWS misbehaves', () => {
  it('completes with every payer accounted for and every partner scored', async () => {
    const progress = await getRunProgress(database.db, runId);
    expect(progress?.status).toBe('completed');
    expect(progress?.total).toBe(sim.estate.payers.length);
    const rows = await database.db.select().from(schema.runPayers).where(eq(schema.runPayers.runId, runId));
    expect(new Set(rows.map((r) => r.payerAccountId))).toEqual(new Set(sim.estate.payers.map((p) => p.accountId)));
    expect(rows.every((r) => r.status === 'collected' || r.status === 'failed')).toBe(true);
    const snaps = await latestSnapshots(database.db);
    expect(new Set(snaps.map((s) => s.partnerId))).toEqual(new Set(sim.estate.partners.map((p) => p.id)));
  });

  for (const f of FAULTS) {
    it(`${f.kind} on ${f.api}: ${f.controls.join(', ')} unknown, naming the failed call`, () => {
      const [account] = [...faulted].find(([, v]) => v === f) ?? [];
      const mine = findings.get(account!) ?? [];
      for (const control of f.controls) {
        const got = mine.filter((x) => x.controlId === control);
        expect(got.length, `${control} findings`).toBeGreaterThan(0);
        expect(new Set(got.map((x) => x.status)), `${control}: ${got.map((x) => x.message).join(' | ')}`).toEqual(
          new Set(['unknown']),
        );
      }
      // The rest of the payer was still collected and judged.
      expect(mine.filter((x) => x.status === 'pass').length).toBeGreaterThan(5);
    });
  }

  it('payers without a fault pass every critical control despite the throttling', () => {
    for (const account of untouched) {
      const critical = (findings.get(account) ?? []).filter((x) => x.severity === 'critical');
      expect(critical.length).toBeGreaterThan(3);
      expect(
        critical.filter((x) => x.status !== 'pass').map((x) => `${x.controlId}: ${x.status} ${x.message}`),
      ).toEqual([]);
    }
  });
});
