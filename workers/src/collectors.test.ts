import {
  type Call,
  createLogger,
  defaultSettings,
  isOk,
  type PayerEvidence,
  type RegistryEntry,
} from '@payerguard/core';
import { DEFAULT_ENABLED_REGIONS } from '@payerguard/core/data/aws-regions';
import { PROFILES, type ProfileId, type Simulator, startSimulator } from '@payerguard/sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionOptions } from './aws/client-options.js';
import { callStats, callsOf, collectPayer } from './collect-payer.js';
import { collectAccount } from './collectors/account.js';
import { collectCloudTrail } from './collectors/cloudtrail.js';
import type { CollectorContext } from './collectors/context.js';
import { collectCostExplorer } from './collectors/costexplorer.js';
import { collectEventBridge } from './collectors/eventbridge.js';
import { collectBillingRole, collectIam } from './collectors/iam.js';
import { collectOrganizations } from './collectors/organizations.js';
import { assumeCollectorRole, getCallerIdentity } from './collectors/sts.js';

/** Every collector, and collectPayer for each kind of payer, against the AWS simulator over HTTP. */
let sim: Simulator;
const settings = defaultSettings();
const logger = createLogger('silent');
let session: SessionOptions;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIATESTHUB000000001';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-hub-secret';
  sim = await startSimulator({ port: 0, partners: PROFILES.length, seed: 11, credentialReportDelayMs: 300 });
  session = { region: 'us-east-1', endpoint: sim.url, timeoutMs: 3_000, maxAttempts: 5 };
});
afterAll(async () => {
  await sim?.close();
});
afterEach(() => sim.faults.clear());

const entryFor = (profile: ProfileId): RegistryEntry => {
  const payer = sim.estate.payers.find((p) => p.profiles.includes(profile));
  if (!payer) throw new Error(`no payer with profile ${profile} in the estate`);
  return sim.registry().find((e) => e.payerAccountId === payer.accountId)!;
};
const account = (e: RegistryEntry) => sim.estate.account(e.payerAccountId)!;

async function contextFor(profile: ProfileId): Promise<CollectorContext> {
  const e = entryFor(profile);
  const { call, credentials } = await assumeCollectorRole(e, session);
  expect(call.status).toBe('ok');
  return { session, credentials: credentials!, settings, accountId: e.payerAccountId, now: new Date() };
}
const data = <T>(c: Call<T>): T => {
  if (!isOk(c)) throw new Error(`${c.api} ${c.status}: ${c.errorCode} ${c.message}`);
  return c.data;
};
const collect = (e: RegistryEntry, timeoutMs = 3_000) =>
  collectPayer(e, settings, { endpoint: sim.url, region: 'us-east-1', logger, timeoutMs });

describe('sts', () => {
  it('assumes the collector role with the ExternalId and confirms the account', async () => {
    const e = entryFor('compliant');
    const { call, credentials } = await assumeCollectorRole(e, session);
    expect(data(call).assumedRoleArn).toContain(':assumed-role/PayerGuardCollector/payerguard-collector');
    expect(credentials?.accessKeyId).toMatch(/^ASIA/);
    // Credentials travel beside the Call, never in it (the Call is stored as evidence).
    expect(JSON.stringify(call)).not.toContain(credentials!.secretAccessKey);
    const who = data(await getCallerIdentity(e.roleArn, session, credentials!, e.payerAccountId));
    expect(who).toMatchObject({ accountId: e.payerAccountId, roleArn: e.roleArn });
  });
  it('reports a missing role and a wrong ExternalId as AccessDenied', async () => {
    for (const profile of ['lockout', 'lockout-external-id'] as const) {
      const { call, credentials } = await assumeCollectorRole(entryFor(profile), session);
      expect(call).toMatchObject({ status: 'denied', api: 'sts:AssumeRole', errorCode: 'AccessDenied' });
      expect(credentials).toBeUndefined();
    }
  });
});

describe('organizations', () => {
  it('reads the organization and every member account across pages', async () => {
    const ctx = await contextFor('large-payer');
    const acct = sim.estate.account(ctx.accountId)!;
    const org = await collectOrganizations(ctx);
    expect(data(org.organization)).toMatchObject({
      id: acct.organization.id,
      masterAccountId: ctx.accountId,
      masterAccountEmail: acct.organization.masterEmail.toLowerCase(),
    });
    const members = data(org.accounts);
    expect(members.length).toBe(acct.members.length);
    expect(members.length).toBeGreaterThan(300);
    expect(new Set(members.map((m) => m.id)).size).toBe(members.length);
  });
});

describe('account', () => {
  it('reads the primary contact and the alternate contacts, null where none is set', async () => {
    for (const profile of ['compliant', 'foreign-billing-contact'] as const) {
      const ctx = await contextFor(profile);
      const acct = sim.estate.account(ctx.accountId)!;
      const a = await collectAccount(ctx);
      expect(data(a.contactInformation).fullName).toBe(acct.contact.FullName);
      for (const type of ['BILLING', 'SECURITY', 'OPERATIONS'] as const) {
        const want = acct.alternateContacts[type];
        const got = data(a.alternateContacts[type]);
        if (want) expect(got).toMatchObject({ type, emailAddress: want.EmailAddress.toLowerCase() });
        else expect(got).toBeNull();
      }
    }
  });
});

describe('iam', () => {
  it('reads summary, MFA devices, the credential report (polled), organizations features and all authorization details', async () => {
    const ctx = await contextFor('large-payer');
    const acct = sim.estate.account(ctx.accountId)!;
    const iam = await collectIam(ctx);
    expect(data(iam.accountSummary).AccountMFAEnabled).toBe(acct.root.mfa === 'none' ? 0 : 1);
    const report = data(iam.credentialReport);
    expect(report.find((r) => r.user === '<root_account>')?.arn).toBe(`arn:aws:iam::${ctx.accountId}:root`);
    expect(report.length).toBe(acct.users.length + 1);
    expect(Array.isArray(data(iam.organizationsFeatures).enabledFeatures)).toBe(true);
    const d = data(iam.authorizationDetails);
    expect(d.pages).toBeGreaterThan(1);
    expect(d.users.length).toBe(acct.users.length);
    expect(d.roles.length).toBe(acct.roles.length);
    expect(d.groups.length).toBe(acct.groups.length);
    // Documents arrive URL-encoded; every one must come out as a parsed policy.
    for (const r of d.roles) expect(r.assumeRolePolicy.Statement).toBeDefined();
    const boundary = d.policies.find((p) => p.name === settings.boundary.policyName);
    expect(boundary?.versions.find((v) => v.isDefaultVersion)?.document.Statement).toBeDefined();
    const mfa = data(iam.virtualMfaDevices);
    expect(mfa.length).toBeGreaterThanOrEqual(acct.unassignedMfaDevices.length);
  });
  it('sees centralized root access where it is on', async () => {
    const on = await collectIam(await contextFor('central-root-on'));
    expect(data(on.organizationsFeatures).enabledFeatures).toEqual(
      expect.arrayContaining(['RootCredentialsManagement']),
    );
  });
  it('checks the billing-admin role exists and trusts the hub', async () => {
    const ok = data(await collectBillingRole(await contextFor('compliant')));
    expect(ok).toMatchObject({ exists: true, trustsDistributor: true });
    const missing = data(await collectBillingRole(await contextFor('billing-role-missing')));
    expect(missing).toMatchObject({ exists: false, trustsDistributor: false });
  });
});

describe('cloudtrail', () => {
  it('turns root events into RootEvents with their MFA, and reads trails with their status', async () => {
    const ctx = await contextFor('root-signin-no-mfa');
    const acct = sim.estate.account(ctx.accountId)!;
    const ct = await collectCloudTrail(ctx);
    const events = data(ct.rootEvents);
    const want = acct.events.filter((e) => (e.record.userIdentity as { type?: string } | undefined)?.type === 'Root');
    expect(events.length).toBe(want.length);
    expect(events.length).toBeGreaterThan(0);
    expect(events.some((e) => e.eventName === 'ConsoleLogin' && e.mfaUsed === false)).toBe(true);
    expect(ct.lookbackDays).toBe(settings.rootLookbackDays);
    const trails = data(ct.trails);
    expect(trails.length).toBe(acct.trails.length);
    expect(trails.every((t) => typeof t.isLogging === 'boolean')).toBe(true);
  });
  it('sees a stopped trail', async () => {
    const trails = data((await collectCloudTrail(await contextFor('trail-stopped'))).trails);
    expect(trails.some((t) => t.name === settings.protectedResources.trailName && t.isLogging === false)).toBe(true);
  });
});

describe('eventbridge', () => {
  it('lists every rule across pages', async () => {
    const ctx = await contextFor('large-payer');
    const rules = data((await collectEventBridge(ctx)).rules);
    // `rules` is us-east-1's list (the partner's own rules live there); other regions hold only the monitor rule.
    expect(rules.length).toBe(sim.estate.account(ctx.accountId)!.rules.filter((r) => r.region === 'us-east-1').length);
    expect(rules.length).toBeGreaterThan(100);
  });
});

describe('costexplorer', () => {
  it('reads monthly spend for the last 6 full months and the current month', async () => {
    const ctx = await contextFor('compliant');
    const spend = data((await collectCostExplorer(ctx)).monthlySpend);
    expect(spend).toHaveLength(7);
    const now = new Date();
    expect(spend.at(-1)?.start).toBe(`${now.toISOString().slice(0, 7)}-01`);
    expect(spend.every((m) => m.unit === 'USD' && Number.isFinite(m.amount) && m.amount >= 0)).toBe(true);
    expect(spend.at(-1)?.estimated).toBe(true);
  });
});

describe('collectPayer', () => {
  const failures = (e: PayerEvidence) => callsOf(e).filter((c) => c.status !== 'ok');

  it('compliant: every call ok, nothing secret in the evidence', async () => {
    const e = entryFor('compliant');
    const ev = await collect(e);
    expect(failures(ev)).toEqual([]);
    expect(ev).toMatchObject({ schemaVersion: 1, partnerId: e.partnerId, payerAccountId: e.payerAccountId });
    for (const k of [
      'organizations',
      'account',
      'iam',
      'cloudtrail',
      'eventbridge',
      'costExplorer',
      'billingRole',
    ] as const)
      expect(ev[k]).toBeDefined();
    expect(JSON.stringify(ev)).not.toContain(e.externalId);
    expect(callStats(ev).ok).toBeGreaterThan(15);
  });

  it('lockout: access denied and nothing else collected', async () => {
    const ev = await collect(entryFor('lockout'));
    expect(ev.access).toMatchObject({ status: 'denied', errorCode: 'AccessDenied' });
    expect(Object.keys(ev).sort()).toEqual(['access', 'collectedAt', 'partnerId', 'payerAccountId', 'schemaVersion']);
  });

  it('api-denied: that one call denied, the rest ok', async () => {
    const e = entryFor('api-denied');
    const denied = account(e).collectorDeniedApis;
    const ev = await collect(e);
    const bad = failures(ev);
    expect(bad.length).toBeGreaterThan(0);
    expect(bad.every((c) => c.status === 'denied')).toBe(true);
    expect(new Set(bad.map((c) => c.api))).toEqual(new Set(denied));
  });

  it('large payer: all pages of every list read', async () => {
    const e = entryFor('large-payer');
    const ev = await collect(e);
    expect(failures(ev)).toEqual([]);
    expect(data(ev.organizations!.accounts).length).toBe(account(e).members.length);
    expect(data(ev.iam!.authorizationDetails).users.length).toBe(account(e).users.length);
  });

  it('throttling injected on a third of calls: adaptive retries still get everything', async () => {
    const e = entryFor('compliant');
    sim.faults.add({ accountId: e.payerAccountId, kind: 'throttle', rate: 0.3 });
    const before = sim.stats().requests;
    // Each attempt is throttled with probability 0.3, independently: with the default 5 attempts one of ~70 calls
    // loses all of them about once in six collections (0.3^5 x 70), a coin this test must not toss. With 10 it is
    // about once in 2,500; what is tested stays the same: retries, not luck, bring every answer back.
    const ev = await collectPayer(e, settings, {
      endpoint: sim.url,
      region: 'us-east-1',
      logger,
      timeoutMs: 3_000,
      maxAttempts: 10,
    });
    expect(failures(ev)).toEqual([]);
    // The retries really happened: more requests than a clean collection needs (about 20).
    expect(sim.stats().requests - before).toBeGreaterThan(callsOf(ev).length);
  });

  it('a hung API becomes a timeout Call within its budget; the rest is collected', async () => {
    const e = entryFor('compliant');
    sim.faults.add({ accountId: e.payerAccountId, api: 'iam:GetAccountSummary', kind: 'hang' });
    const t0 = Date.now();
    const ev = await collect(e, 500);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(ev.iam!.accountSummary).toMatchObject({
      status: 'timeout',
      errorCode: 'TimeoutError',
      api: 'iam:GetAccountSummary',
    });
    expect(failures(ev)).toHaveLength(1);
  });

  it('malformed, garbage and oversized answers become failed Calls, not crashes', async () => {
    const e = entryFor('compliant');
    sim.faults.add({ accountId: e.payerAccountId, api: 'organizations:DescribeOrganization', kind: 'malformed' });
    sim.faults.add({ accountId: e.payerAccountId, api: 'iam:GetAccountSummary', kind: 'garbage', bytes: 2048 });
    sim.faults.add({
      accountId: e.payerAccountId,
      api: 'events:ListRules',
      kind: 'oversized',
      bytes: 20 * 1024 * 1024,
    });
    const ev = await collect(e);
    expect(ev.organizations!.organization.status).toBe('malformed');
    expect(ev.iam!.accountSummary.status).toBe('malformed');
    expect(ev.eventbridge!.rules).toMatchObject({ status: 'malformed' });
    // The fault hits ListRules in every region read; nothing else failed.
    for (const r of ev.regions!.read) expect(ev.eventbridge!.byRegion![r]!.rules.status).toBe('malformed');
    expect(new Set(failures(ev).map((c) => c.api))).toEqual(
      new Set(['organizations:DescribeOrganization', 'iam:GetAccountSummary', 'events:ListRules']),
    );
  });

  it('reads root events and monitor rules in us-east-1 and every enabled region', async () => {
    const e = entryFor('root-activity-other-region');
    const ev = await collect(e);
    const enabled = sim.estate
      .account(e.payerAccountId)!
      .regions.filter((r) => r.RegionOptStatus !== 'DISABLED')
      .map((r) => r.RegionName);
    expect(ev.regions!.read[0]).toBe('us-east-1');
    expect(new Set(ev.regions!.read)).toEqual(new Set(enabled));
    expect(ev.regions!.fallbackReason).toBeUndefined();
    const events = data(ev.cloudtrail!.rootEvents);
    expect(events.length).toBeGreaterThan(0);
    for (const x of events) expect(['eu-central-1', 'ap-southeast-2']).toContain(x.awsRegion);
    const byRegion = ev.cloudtrail!.rootEventsByRegion!;
    expect(Object.keys(byRegion).sort()).toEqual([...ev.regions!.read].sort());
    expect(data(byRegion['us-east-1']!).rootEvents).toBe(0);
    expect(data(byRegion['eu-central-1']!).rootEvents + data(byRegion['ap-southeast-2']!).rootEvents).toBe(
      events.length,
    );
    for (const r of ev.regions!.read) expect(data(ev.eventbridge!.byRegion![r]!.monitorRuleTargets!)).toHaveLength(1);
  });

  it('a region whose LookupEvents is denied fails the merged root events, naming the region', async () => {
    const e = entryFor('compliant');
    sim.faults.add({
      accountId: e.payerAccountId,
      api: 'cloudtrail:LookupEvents',
      region: 'ap-southeast-2',
      kind: 'access-denied',
    });
    const ev = await collect(e);
    expect(ev.cloudtrail!.rootEventsByRegion!['ap-southeast-2']).toMatchObject({ status: 'denied' });
    expect(ev.cloudtrail!.rootEventsByRegion!['us-east-1']).toMatchObject({ status: 'ok' });
    expect(ev.cloudtrail!.rootEvents).toMatchObject({ status: 'denied', errorCode: 'AccessDeniedException' });
    expect((ev.cloudtrail!.rootEvents as { message: string }).message).toContain('ap-southeast-2');
  });

  it('ListRegions denied: falls back to the default regions and records why', async () => {
    const e = entryFor('compliant');
    sim.faults.add({ accountId: e.payerAccountId, api: 'account:ListRegions', kind: 'access-denied' });
    const ev = await collect(e);
    expect(ev.regions!.enabled).toMatchObject({ status: 'denied' });
    expect(ev.regions!.read).toEqual([...DEFAULT_ENABLED_REGIONS]);
    expect(ev.regions!.fallbackReason).toMatch(/account:ListRegions failed \(AccessDeniedException\).*opt-in/);
    expect(ev.cloudtrail!.rootEvents.status).toBe('ok');
  });

  it('a server error on one API is an error Call after retries', async () => {
    const e = entryFor('compliant');
    sim.faults.add({ accountId: e.payerAccountId, api: 'ce:GetCostAndUsage', kind: 'server-error' });
    const ev = await collect(e);
    expect(ev.costExplorer!.monthlySpend.status).toBe('error');
    expect(failures(ev)).toHaveLength(1);
  });
});
