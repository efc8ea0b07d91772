import { type Database, schema } from '@payerguard/core';
import { controlById } from '@payerguard/core/controls/all-controls';
import { latestSnapshots, type RunSummary, type StoredFinding } from '@payerguard/core/engine/score-run';
import { PROFILES, type ProfileId, type Simulator } from '@payerguard/sim';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EstateRun, runEstate } from './harness/run-estate.js';

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
  'monitor-rule-no-target': [{ control: 'ROOT-MONITOR-RULE', status: 'fail' }],
  // Root API calls only outside us-east-1: seen only because every enabled region is read.
  'root-activity-other-region': [{ control: 'ROOT-ACTIVITY-ROOT-ONLY-TASKS', status: 'fail' }],
  'trail-stopped': [{ control: 'GOV-ORG-TRAIL', status: 'fail' }],
  'central-root-on': [{ control: 'ROOT-CENTRALIZED-ACCESS', status: 'pass' }],
  'central-root-off': [{ control: 'ROOT-CENTRALIZED-ACCESS', status: 'warn' }],
  lockout: [{ control: 'ACCESS-COLLECTOR-ROLE', status: 'fail' }],
  'lockout-external-id': [{ control: 'ACCESS-COLLECTOR-ROLE', status: 'fail' }],
  'billing-role-missing': [{ control: 'ACCESS-BILLING-ROLE', status: 'fail' }],
  'standalone-payer': [
    { control: 'OWN-PAYER-IS-MANAGEMENT', status: 'fail' },
    { control: 'OWN-ROOT-EMAIL-DOMAIN', status: 'unknown' },
    { control: 'ROOT-CENTRALIZED-ACCESS', status: 'warn' },
  ],
  'member-payer': [
    { control: 'OWN-PAYER-IS-MANAGEMENT', status: 'fail' },
    { control: 'OWN-ROOT-EMAIL-DOMAIN', status: 'unknown' },
    { control: 'ROOT-CENTRALIZED-ACCESS', status: 'warn' },
  ],
  'central-root-untrusted': [{ control: 'ROOT-CENTRALIZED-ACCESS', status: 'warn' }],
  // STS throttles and answers 5xx for a while; the SDK's retries outlast the spell.
  'sts-flaky': [{ control: 'ACCESS-COLLECTOR-ROLE', status: 'pass' }],
};

let estate: EstateRun;
let sim: Simulator;
let database: Database;
let runId: string;
let byPayer: Map<string, StoredFinding[]>;

beforeAll(async () => {
  // The first PROFILES.length partners cover every profile once.
  // Every payer is read in each enabled region (~70 calls a payer): give a loaded machine room.
  estate = await runEstate({ partners: PROFILES.length, seed: 23, timeoutMs: 400_000 });
  ({ sim, database, runId, findingsByPayer: byPayer } = estate);
}, 420_000);

afterAll(async () => estate?.close());

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
    // Every payer that left evidence was evaluated by its payer job, not again by the parent.
    const withEvidence = await database.db.select().from(schema.evidence).where(eq(schema.evidence.runId, runId));
    expect(summary?.evaluatedAhead).toBe(withEvidence.length);
    expect(summary?.lockouts.partners).toBeGreaterThanOrEqual(2);
    // Only AccessDenied from AssumeRole is a lockout: the partner whose STS was flaky is not counted.
    expect(summary?.lockouts.partnerIds).not.toContain(payerWith('sts-flaky').partnerId);
    expect(summary?.spendAtRisk).toBeGreaterThan(0);
    expect(summary?.topFailingControls.length).toBeGreaterThan(0);
  });
});
