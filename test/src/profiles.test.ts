import { createLogger, type Database, loadConfig, schema } from '@payerguard/core';
import { controlById } from '@payerguard/core/controls/registry';
import {
  findingsForPartner,
  latestSnapshots,
  type RunSummary,
  type StoredFinding,
} from '@payerguard/core/engine/score-run';
import { importRegistry } from '@payerguard/core/partners/import';
import { QUEUES } from '@payerguard/core/queue/names';
import { getRunProgress, startRun } from '@payerguard/core/queue/runs';
import { testDatabase, testQueuePrefix } from '@payerguard/core/testing/db';
import { PROFILES, type ProfileId, type Simulator, startSimulator } from '@payerguard/sim';
import { startWorkers } from '@payerguard/workers';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The whole production path for every kind of partner the simulator makes: sim (over HTTP) -> collectors ->
 * BullMQ run -> scoreRun -> stored findings. Each profile names the one finding it must produce.
 */
type Expectation = { control: string; status: StoredFinding['status'] };
const EXPECTED: Partial<Record<ProfileId, Expectation[]>> = {
  'foreign-root-email': [{ control: 'OWN-ROOT-EMAIL-DOMAIN', status: 'fail' }],
  'foreign-billing-contact': [{ control: 'OWN-BILLING-CONTACT', status: 'fail' }],
  'root-no-mfa': [
    { control: 'ROOT-MFA', status: 'fail' },
    { control: 'ROOT-HARDWARE-MFA', status: 'fail' },
  ],
  'root-virtual-mfa': [
    { control: 'ROOT-MFA', status: 'pass' },
    { control: 'ROOT-HARDWARE-MFA', status: 'fail' },
  ],
  'root-access-key': [{ control: 'ROOT-NO-ACCESS-KEYS', status: 'fail' }],
  'root-signing-cert': [{ control: 'ROOT-NO-SIGNING-CERTS', status: 'fail' }],
  'root-signin-mfa': [
    { control: 'ROOT-SIGNIN-MFA', status: 'pass' },
    { control: 'ROOT-ACTIVITY-ROOT-ONLY-TASKS', status: 'pass' },
  ],
  'root-signin-no-mfa': [{ control: 'ROOT-SIGNIN-MFA', status: 'fail' }],
  'root-api-non-root-task': [{ control: 'ROOT-ACTIVITY-ROOT-ONLY-TASKS', status: 'fail' }],
  'admin-no-boundary': [{ control: 'BOUNDARY-COVERAGE', status: 'fail' }],
  'boundary-no-self-protection': [{ control: 'BOUNDARY-EFFECTIVENESS', status: 'fail' }],
  'boundary-unbounded-create': [{ control: 'BOUNDARY-EFFECTIVENESS', status: 'fail' }],
  'boundary-data-open': [{ control: 'BOUNDARY-EFFECTIVENESS', status: 'fail' }],
  'boundary-billing-open': [{ control: 'BOUNDARY-EFFECTIVENESS', status: 'fail' }],
  'boundary-governance-open': [{ control: 'BOUNDARY-EFFECTIVENESS', status: 'fail' }],
  'boundary-drift': [{ control: 'BOUNDARY-DRIFT', status: 'fail' }],
  'monitor-rule-missing': [{ control: 'ROOT-MONITOR-RULE', status: 'fail' }],
  'trail-stopped': [{ control: 'GOV-ORG-TRAIL', status: 'fail' }],
  'central-root-on': [{ control: 'ROOT-CENTRALIZED-ACCESS', status: 'pass' }],
  'central-root-off': [{ control: 'ROOT-CENTRALIZED-ACCESS', status: 'warn' }],
  lockout: [{ control: 'ACCESS-COLLECTOR-ROLE', status: 'fail' }],
  'lockout-external-id': [{ control: 'ACCESS-COLLECTOR-ROLE', status: 'fail' }],
  'billing-role-missing': [{ control: 'ACCESS-BILLING-ROLE', status: 'fail' }],
};

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = testQueuePrefix();
let sim: Simulator;
let database: Database;
let redis: Redis;
let runId: string;
const byPayer = new Map<string, StoredFinding[]>();

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIATESTHUB000000001';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-hub-secret';
  // The first PROFILES.length partners cover every profile once.
  sim = await startSimulator({ port: 0, partners: PROFILES.length, seed: 23, credentialReportDelayMs: 100 });
  database = await testDatabase();
  redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  await importRegistry(database.db, sim.registry());
  const workers = await startWorkers({
    db: database.db,
    config: { ...loadConfig({}), redisUrl, awsEndpointUrl: sim.url },
    logger: createLogger('silent'),
    prefix,
    concurrency: 6,
    collect: { endpoint: sim.url, timeoutMs: 5_000, maxAttempts: 2 },
  });
  try {
    ({ runId } = await startRun({ db: database.db, connection: redis, prefix }, { trigger: 'manual' }));
    const until = Date.now() + 100_000;
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
      byPayer.set(f.payerAccountId, [...(byPayer.get(f.payerAccountId) ?? []), f]);
}, 150_000);

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

const payerWith = (profile: ProfileId) => {
  const p = sim.estate.payers.find((x) => x.profiles.includes(profile));
  if (!p) throw new Error(`the estate has no payer with profile ${profile}`);
  return p;
};

describe('each simulator profile produces its finding', () => {
  for (const [profile, asserted] of Object.entries(EXPECTED) as [ProfileId, Expectation[]][]) {
    it(profile, () => {
      for (const e of asserted) expect(controlById(e.control), `control ${e.control} is registered`).toBeDefined();
      const payer = payerWith(profile);
      const fs = byPayer.get(payer.accountId) ?? [];
      for (const e of asserted) {
        const mine = fs.filter((f) => f.controlId === e.control);
        expect(mine.length, `${e.control} findings for ${payer.accountId}`).toBeGreaterThan(0);
        expect(
          mine.map((f) => f.status),
          `${e.control} on ${profile}: ${mine.map((f) => f.message).join(' | ')}`,
        ).toContain(e.status);
      }
    });
  }

  it('a lockout leaves every other control unknown (no access), and the partner F with a lockout snapshot', async () => {
    const payer = payerWith('lockout');
    const fs = byPayer.get(payer.accountId) ?? [];
    const others = fs.filter((f) => !['ACCESS-COLLECTOR-ROLE', 'ACCESS-LAST-SUCCESS'].includes(f.controlId));
    expect(others.length).toBeGreaterThan(10);
    expect(new Set(others.map((f) => f.status))).toEqual(new Set(['unknown']));
    const [snap] = await latestSnapshots(database.db, { partnerIds: [payer.partnerId] });
    expect(snap).toMatchObject({ lockedOut: true, grade: 'F' });
  });

  it('a denied API makes the controls that read it unknown, naming the AWS error', () => {
    const payer = payerWith('api-denied');
    const unknown = (byPayer.get(payer.accountId) ?? []).filter((f) => f.status === 'unknown');
    expect(unknown.length).toBeGreaterThan(0);
    expect(unknown.map((f) => String((f.evidence as { errorCode?: string }).errorCode))).toContainEqual(
      expect.stringMatching(/AccessDenied/),
    );
  });

  it('a compliant partner fails nothing and is graded A or B', async () => {
    const payer = payerWith('compliant');
    const fs = byPayer.get(payer.accountId) ?? [];
    expect(
      fs.filter((f) => f.status === 'fail' || f.status === 'unknown').map((f) => `${f.controlId}: ${f.message}`),
    ).toEqual([]);
    const [snap] = await latestSnapshots(database.db, { partnerIds: [payer.partnerId] });
    expect(['A', 'B']).toContain(snap?.grade);
  });

  it('the large payer is collected and judged in full', () => {
    const payer = payerWith('large-payer');
    const members = (byPayer.get(payer.accountId) ?? []).find((f) => f.controlId === 'OWN-MEMBER-DOMAINS');
    expect((members?.evidence as { members?: number } | undefined)?.members).toBeGreaterThanOrEqual(300);
  });

  it('the run summary counts every partner and the lockouts', async () => {
    const [run] = await database.db.select().from(schema.runs).where(eq(schema.runs.id, runId));
    const summary = run?.summary as RunSummary | undefined;
    expect(summary?.partners).toBe(sim.estate.partners.length);
    expect(summary?.lockouts.partners).toBeGreaterThanOrEqual(2);
    expect(summary?.spendAtRisk).toBeGreaterThan(0);
    expect(summary?.topFailingControls.length).toBeGreaterThan(0);
  });
});
