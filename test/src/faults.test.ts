import { type Database, schema } from '@payerguard/core';
import { latestSnapshots, type StoredFinding } from '@payerguard/core/engine/score-run';
import { getRunProgress } from '@payerguard/core/queue/runs';
import type { Simulator } from '@payerguard/sim';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EstateRun, runEstate } from './harness/run-estate.js';

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
  // ROOT-NO-ACCESS-KEYS falls back to a fresh credential report when the live summary is denied (docs/aws-answers.md).
  { kind: 'access-denied', api: 'iam:GetAccountSummary', controls: ['ROOT-MFA'] },
] as const;

let estate: EstateRun;
let sim: Simulator;
let database: Database;
let runId: string;
let findings: Map<string, StoredFinding[]>;
const faulted = new Map<string, (typeof FAULTS)[number]>();
let untouched: string[] = [];

beforeAll(async () => {
  estate = await runEstate({
    partners: 40,
    seed: 31,
    concurrency: 8,
    // Every payer is read in each enabled region (~70 calls a payer): room for a loaded machine.
    timeoutMs: 400_000,
    // Retries enough that estate-wide throttling never costs evidence; a hang costs 4 x 2 s.
    collect: { timeoutMs: 2_000, maxAttempts: 4 },
    prepare(s) {
      const compliant = s.estate.payers.filter((p) => p.profiles.length === 1 && p.profiles[0] === 'compliant');
      if (compliant.length < FAULTS.length + 2) throw new Error('the estate has too few compliant payers');
      FAULTS.forEach((f, i) => {
        const payer = compliant[i]!;
        s.faults.add({ accountId: payer.accountId, api: f.api, kind: f.kind });
        faulted.set(payer.accountId, f);
      });
      untouched = compliant.slice(FAULTS.length).map((p) => p.accountId);
      // Throttling everywhere, at a rate the SDK's retries absorb.
      s.faults.add({ kind: 'throttle', rate: 0.05 });
    },
  });
  ({ sim, database, runId, findingsByPayer: findings } = estate);
}, 420_000);

afterAll(async () => estate?.close());

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
