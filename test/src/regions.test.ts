import { PROFILES } from '@payerguard/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EstateRun, runEstate } from './harness/run-estate.js';

/**
 * The region the product runs in must not change a verdict: root events and monitor rules are read from us-east-1
 * and every enabled region whatever AWS_REGION is. Two whole runs of the same estate, one per AWS_REGION.
 */
let east: EstateRun;
let west: EstateRun;

// No fault is injected here, so a call that times out is the machine being busy, not AWS: generous call timeouts keep
// load from turning answers into unknowns in one run and not the other.
const collect = { timeoutMs: 30_000, maxAttempts: 3 };

beforeAll(async () => {
  east = await runEstate({ partners: PROFILES.length, seed: 31, region: 'us-east-1', timeoutMs: 600_000, collect });
  west = await runEstate({ partners: PROFILES.length, seed: 31, region: 'eu-west-1', timeoutMs: 600_000, collect });
}, 1_260_000);

afterAll(async () => {
  await east?.close();
  await west?.close();
});

/** Every finding as "payer control resource status", sorted: what a verdict comparison needs. */
const verdicts = (run: EstateRun) =>
  [...run.findingsByPayer.values()]
    .flat()
    .map((f) => `${f.payerAccountId} ${f.controlId} ${f.resource} ${f.status}`)
    .sort();

describe('AWS_REGION does not change verdicts', () => {
  it('a run with AWS_REGION=eu-west-1 gives the same findings as with us-east-1', () => {
    const a = verdicts(east);
    expect(a.length).toBeGreaterThan(PROFILES.length * 10);
    expect(verdicts(west)).toEqual(a);
  });

  it('both runs saw the root sign-ins (recorded in us-east-1) and the other-region root API calls', () => {
    for (const run of [east, west]) {
      const statuses = (profile: string, control: string) => {
        const payer = run.sim.estate.payers.find((p) => p.profiles.includes(profile as never));
        return (run.findingsByPayer.get(payer?.accountId ?? '') ?? [])
          .filter((f) => f.controlId === control)
          .map((f) => f.status);
      };
      expect(statuses('root-signin-no-mfa', 'ROOT-SIGNIN-MFA')).toContain('fail');
      expect(statuses('root-activity-other-region', 'ROOT-ACTIVITY-ROOT-ONLY-TASKS')).toContain('fail');
    }
  });
});
