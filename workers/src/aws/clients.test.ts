import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { createLogger, defaultSettings, isOk, type RegistryEntry } from '@payerguard/core';
import { type Simulator, startSimulator } from '@payerguard/sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callsOf, collectPayer } from '../collect-payer.js';
import { assumeCollectorRole, getCallerIdentity } from '../collectors/sts.js';
import type { SessionOptions } from './client-options.js';
import { payerClient, sharedClientCount } from './clients.js';
import { processRateLimiter, RATE_LIMITS } from './rate-limit.js';

/** SDK clients shared by every payer: each call still signed, limited and retried as its own payer's. */
let sim: Simulator;
let session: SessionOptions;
const settings = defaultSettings();
const logger = createLogger('silent');

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIATESTHUB000000002';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-hub-secret';
  sim = await startSimulator({ port: 0, partners: 8, seed: 5, credentialReportDelayMs: 100 });
  session = { region: 'us-east-1', endpoint: sim.url, timeoutMs: 5_000, maxAttempts: 3 };
});
afterEach(() => sim.faults.clear());
afterAll(() => sim?.close());

/** Payers whose collector role can be assumed (the estate also holds lockouts on purpose). */
async function reachable(): Promise<{ entry: RegistryEntry; credentials: NonNullable<unknown> }[]> {
  const out = [];
  for (const entry of sim.registry()) {
    const { credentials } = await assumeCollectorRole(entry, session);
    if (credentials) out.push({ entry, credentials });
  }
  return out;
}

describe('shared SDK clients', () => {
  it('answer every payer from its own account, many payers at once, through one client per service', async () => {
    const payers = await reachable();
    expect(payers.length).toBeGreaterThan(3);
    const before = sharedClientCount();
    const answers = await Promise.all(
      payers.map(async ({ entry, credentials }) => {
        const creds = credentials as Parameters<typeof getCallerIdentity>[2];
        const ctx = { session, credentials: creds, accountId: entry.payerAccountId };
        const [who, org] = await Promise.all([
          getCallerIdentity(entry.roleArn, session, creds, entry.payerAccountId),
          payerClient(OrganizationsClient, ctx).send(new DescribeOrganizationCommand({})),
        ]);
        return { entry, who, org };
      }),
    );
    for (const { entry, who, org } of answers) {
      expect(isOk(who) && who.data.accountId).toBe(entry.payerAccountId);
      // The organization's management account is the payer: the answer came from the payer's own session.
      expect(org.Organization?.MasterAccountId).toBe(entry.payerAccountId);
    }
    // One STS and one Organizations client for all of them (none at all if an earlier test built them already).
    expect(sharedClientCount() - before).toBeLessThanOrEqual(2);
  });

  it('a throttled payer slows only itself: another payer on the same clients collects everything', async () => {
    const [slow, other] = (await reachable()).map((p) => p.entry);
    // One IAM API of the slow payer is throttled whatever the retries do (the rest of its IAM calls then queue behind
    // its own lowered rate).
    sim.faults.add({ accountId: slow!.payerAccountId, api: 'iam:GetAccountSummary', kind: 'throttle' });
    const collect = (e: RegistryEntry) =>
      collectPayer(e, settings, { endpoint: sim.url, region: 'us-east-1', logger, timeoutMs: 5_000, maxAttempts: 3 });
    const [slowEvidence, otherEvidence] = await Promise.all([collect(slow!), collect(other!)]);

    const throttled = callsOf(slowEvidence).filter((c) => c.status === 'throttled');
    expect(throttled.map((c) => c.api)).toEqual(['iam:GetAccountSummary']);
    expect(callsOf(otherEvidence).filter((c) => c.status !== 'ok' && c.api.startsWith('iam:'))).toEqual([]);
    // The client-side rate: the slow payer's IAM bucket was cut, the other payer's never was.
    const iam = (account: string) =>
      processRateLimiter.bucketsFor(account, 'us-east-1', 'IAM', 'GetAccountSummary')[0]!;
    expect(iam(slow!.payerAccountId).rate).toBeLessThan(RATE_LIMITS.IAM!.service);
    expect(iam(other!.payerAccountId).rate).toBe(RATE_LIMITS.IAM!.service);
  }, 180_000);
});
