import { createLogger, defaultSettings, type PayerEvidence, type RegistryEntry } from '@payerguard/core';
import { accessOutcome } from '@payerguard/core/controls/access/lockout';
import type { Finding } from '@payerguard/core/controls/types';
import { evaluatePayer } from '@payerguard/core/engine/evaluate';
import { type ProfileId, type Simulator, startSimulator } from '@payerguard/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectOptions, callsOf, collectPayer } from './collect-payer.js';
import { collectIam } from './collectors/iam.js';
import { assumeCollectorRole } from './collectors/sts.js';

/**
 * Issue 10's error semantics, product side: the real collectors over HTTP against the simulator profiles that answer
 * as AWS does (sim/src/aws-errors.test.ts checks those answers with the AWS CLI), then the verdicts.
 */
let sim: Simulator;
/** Its sessions last 2 seconds, so a collection outlives the first one. */
let shortSessions: Simulator;
const settings = defaultSettings();
const logger = createLogger('silent');

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIATESTHUB000000001';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-hub-secret';
  [sim, shortSessions] = await Promise.all([
    startSimulator({ port: 0, partners: 32, seed: 12, credentialReportDelayMs: 50 }),
    startSimulator({ port: 0, partners: 2, seed: 12, credentialReportDelayMs: 50, sessionLifetimeSeconds: 2 }),
  ]);
});
afterAll(async () => {
  await Promise.all([sim?.close(), shortSessions?.close()]);
});

const entryFor = (s: Simulator, profile: ProfileId): RegistryEntry => {
  const payer = s.estate.payers.find((p) => p.profiles.includes(profile));
  if (!payer) throw new Error(`no payer with profile ${profile} in the estate`);
  return s.registry().find((e) => e.payerAccountId === payer.accountId)!;
};
const collect = (s: Simulator, e: RegistryEntry, over: Partial<CollectOptions> = {}) =>
  collectPayer(e, settings, { endpoint: s.url, region: 'us-east-1', logger, timeoutMs: 3_000, ...over });
const verdicts = (ev: PayerEvidence): Map<string, Finding> =>
  new Map(evaluatePayer(ev, { settings, now: new Date(ev.collectedAt) }).map((f) => [f.controlId, f]));

describe('sts-flaky: AssumeRole throttled or 5xx for a while', () => {
  it('is access unverified (unknown, never a lockout) while STS fails, then passes', async () => {
    const e = entryFor(sim, 'sts-flaky');
    const seen: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      // One HTTP attempt per collection, as if the SDK's retries were spent: what the payer job sees when it retries.
      const ev = await collect(sim, e, { maxAttempts: 1 });
      expect(ev.access.status).not.toBe('ok');
      expect(accessOutcome(ev.access)).toBe('unverified');
      const role = verdicts(ev).get('ACCESS-COLLECTOR-ROLE');
      expect(role).toMatchObject({ status: 'unknown', severity: 'critical', evidence: { lockout: false } });
      if (ev.access.status !== 'ok') seen.push(ev.access.errorCode);
    }
    expect(seen).toEqual(['Throttling', 'ServiceUnavailable', 'Throttling']);
    const ev = await collect(sim, e, { maxAttempts: 1 });
    expect(verdicts(ev).get('ACCESS-COLLECTOR-ROLE')?.status).toBe('pass');
  });
  it("is absorbed by the SDK's own retries when the spell is shorter than its attempts", async () => {
    const s = await startSimulator({ port: 0, partners: 32, seed: 12, credentialReportDelayMs: 50 });
    try {
      const ev = await collect(s, entryFor(s, 'sts-flaky'), { maxAttempts: 5 });
      expect(ev.access.status).toBe('ok');
      expect(verdicts(ev).get('ACCESS-COLLECTOR-ROLE')?.status).toBe('pass');
    } finally {
      await s.close();
    }
  });
  it('a real denial is still a lockout', async () => {
    const ev = await collect(sim, entryFor(sim, 'lockout'));
    expect(accessOutcome(ev.access)).toBe('lockout');
    expect(verdicts(ev).get('ACCESS-COLLECTOR-ROLE')).toMatchObject({ status: 'fail', evidence: { lockout: true } });
  });
});

describe('organizations: standalone and member payers', () => {
  it('standalone-payer: AWSOrganizationsNotInUseException is an answer that fails OWN-PAYER-IS-MANAGEMENT', async () => {
    const ev = await collect(sim, entryFor(sim, 'standalone-payer'));
    expect(ev.organizations?.organization).toMatchObject({
      status: 'error',
      errorCode: 'AWSOrganizationsNotInUseException',
    });
    const v = verdicts(ev);
    expect(v.get('OWN-PAYER-IS-MANAGEMENT')?.status).toBe('fail');
    expect(v.get('OWN-ROOT-EMAIL-DOMAIN')).toMatchObject({
      status: 'unknown',
      evidence: { reason: 'not in an organization' },
    });
    expect(v.get('OWN-MEMBER-DOMAINS')?.status).toBe('pass');
    expect(v.get('ROOT-CENTRALIZED-ACCESS')).toMatchObject({
      status: 'warn',
      evidence: { answeredWith: 'OrganizationNotFoundException' },
    });
    // No call of this payer is a denial: nothing suggests the collector role lost a permission.
    expect(callsOf(ev).filter((c) => c.status === 'denied')).toEqual([]);
  });
  it("member-payer: fails OWN-PAYER-IS-MANAGEMENT naming the other organization's management account", async () => {
    const e = entryFor(sim, 'member-payer');
    const ev = await collect(sim, e);
    const v = verdicts(ev);
    const mgmt = v.get('OWN-PAYER-IS-MANAGEMENT');
    expect(mgmt?.status).toBe('fail');
    expect((mgmt?.evidence as { managementAccountId?: string } | undefined)?.managementAccountId).not.toBe(
      e.payerAccountId,
    );
    expect(v.get('OWN-ROOT-EMAIL-DOMAIN')).toMatchObject({
      status: 'unknown',
      evidence: { reason: 'not the management account' },
    });
    expect(v.get('ROOT-CENTRALIZED-ACCESS')).toMatchObject({
      status: 'warn',
      evidence: { answeredWith: 'AccountNotManagementOrDelegatedAdministratorException' },
    });
  });
  it('central-root-untrusted: ServiceAccessNotEnabledException is a finding (warn), not "could not evaluate"', async () => {
    const ev = await collect(sim, entryFor(sim, 'central-root-untrusted'));
    expect(ev.iam?.organizationsFeatures.status).toBe('ok');
    expect(verdicts(ev).get('ROOT-CENTRALIZED-ACCESS')).toMatchObject({
      status: 'warn',
      evidence: { answeredWith: 'ServiceAccessNotEnabledException' },
    });
  });
});

describe('credential report and session lifetime', () => {
  it("records the credential report's GeneratedTime", async () => {
    const ev = await collect(sim, entryFor(sim, 'compliant'));
    const at = Date.parse(ev.iam?.credentialReportGeneratedTime ?? '');
    expect(Math.abs(at - Date.now())).toBeLessThan(60_000);
    const keys = verdicts(ev).get('ROOT-NO-ACCESS-KEYS');
    expect(keys).toMatchObject({ status: 'pass', evidence: { decidedBy: 'iam:GetAccountSummary' } });
    // The live summary decided: the report's time (new with every report) stays out of the finding.
    expect(keys?.evidence).not.toHaveProperty('credentialReportGeneratedTime');
  });
  it('meets ReportExpired by generating the report anew once, then records the error; root keys still judged live', async () => {
    // Every report expires at once: the collector must regenerate once and then give up, not loop.
    const s = await startSimulator({
      port: 0,
      partners: 2,
      seed: 12,
      credentialReportDelayMs: 0,
      credentialReportTtlMs: 0,
    });
    try {
      const ev = await collect(s, s.registry()[0]!);
      expect(ev.iam?.credentialReport).toMatchObject({ status: 'error', errorCode: 'ReportExpired' });
      expect(s.stats().byApi['iam:GenerateCredentialReport']).toBe(2);
      expect(verdicts(ev).get('ROOT-NO-ACCESS-KEYS')).toMatchObject({
        status: 'pass',
        evidence: { decidedBy: 'iam:GetAccountSummary' },
      });
    } finally {
      await s.close();
    }
  });
  it('renews the assumed-role session before it expires, so a long collection sees no ExpiredToken', async () => {
    const e = shortSessions.registry()[0]!;
    const fault = shortSessions.faults.add({ kind: 'latency', ms: 250 });
    try {
      const before = shortSessions.stats().byApi['sts:AssumeRole'] ?? 0;
      const ev = await collect(shortSessions, e, { parallelism: 1 });
      const failures = callsOf(ev).flatMap((c) => (c.status === 'ok' ? [] : [`${c.api} ${c.errorCode}`]));
      expect(failures).toEqual([]);
      expect((shortSessions.stats().byApi['sts:AssumeRole'] ?? 0) - before).toBeGreaterThan(1);
      expect(verdicts(ev).get('ACCESS-COLLECTOR-ROLE')?.status).toBe('pass');
    } finally {
      shortSessions.faults.remove(fault.id);
    }
  });
  it('a session used past its expiry gets ExpiredToken, recorded as an error, never as a denial', async () => {
    const e = shortSessions.registry()[0]!;
    const session = { region: 'us-east-1', endpoint: shortSessions.url, timeoutMs: 3_000, maxAttempts: 1 };
    const { credentials } = await assumeCollectorRole(e, session);
    await new Promise((r) => setTimeout(r, 2_100));
    const iam = await collectIam({
      session,
      credentials: credentials!,
      settings,
      accountId: e.payerAccountId,
      now: new Date(),
    });
    expect(iam.accountSummary).toMatchObject({ status: 'error', errorCode: 'ExpiredToken' });
    const ev: PayerEvidence = {
      schemaVersion: 1,
      payerAccountId: e.payerAccountId,
      partnerId: e.partnerId,
      collectedAt: new Date().toISOString(),
      access: {
        status: 'ok',
        api: 'sts:GetCallerIdentity',
        data: { roleArn: e.roleArn, assumedRoleArn: 'x', accountId: e.payerAccountId },
      },
      iam,
    };
    expect(verdicts(ev).get('ROOT-MFA')).toMatchObject({
      status: 'unknown',
      evidence: { callStatus: 'error', errorCode: 'ExpiredToken' },
    });
  });
});
