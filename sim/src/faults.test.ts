import { GetAlternateContactCommand } from '@aws-sdk/client-account';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetAccountSummaryCommand, ListOrganizationsFeaturesCommand } from '@aws-sdk/client-iam';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiMatches, Faults } from './faults.js';
import { type Simulator, startSimulator } from './server.js';
import { assume, type Creds, clients, failure, HUB_CREDS } from './testing/clients.js';

let sim: Simulator;
let creds: Creds;
let other: Creds;
let accountId: string;

beforeAll(async () => {
  sim = await startSimulator({ partners: 3, seed: 11 });
  const [a, b] = sim.registry();
  accountId = a!.payerAccountId;
  creds = await assume(sim.url, a!);
  other = await assume(sim.url, b!);
});
afterEach(() => sim.faults.clear());
afterAll(() => sim.close());

describe('fault kinds reach the SDK as the right error', () => {
  it('throttle: Throttling (query), ThrottlingException (JSON), TooManyRequestsException (Account)', async () => {
    sim.faults.add({ kind: 'throttle' });
    const c = clients(sim.url, creds);
    const q = await failure(c.iam.send(new GetAccountSummaryCommand({})));
    expect(q.name).toBe('Throttling');
    expect(q.$metadata?.httpStatusCode).toBe(400);
    expect((await failure(c.cloudtrail.send(new LookupEventsCommand({})))).name).toBe('ThrottlingException');
    expect(
      (await failure(c.account.send(new GetAlternateContactCommand({ AlternateContactType: 'BILLING' })))).name,
    ).toBe('TooManyRequestsException');
  });

  it('the SDK retries throttling: every attempt is answered', async () => {
    sim.faults.add({ kind: 'throttle' });
    const err = await failure(clients(sim.url, creds, { maxAttempts: 3 }).iam.send(new GetAccountSummaryCommand({})));
    expect(err.name).toBe('Throttling');
    expect((err as unknown as { $metadata: { attempts: number } }).$metadata.attempts).toBe(3);
  });

  it('access-denied: AccessDenied (query) and AccessDeniedException (JSON)', async () => {
    sim.faults.add({ kind: 'access-denied', api: 'iam:GetAccountSummary' });
    sim.faults.add({ kind: 'access-denied', api: 'DescribeOrganization' });
    const c = clients(sim.url, creds);
    const q = await failure(c.iam.send(new GetAccountSummaryCommand({})));
    expect(q.name).toBe('AccessDenied');
    expect(q.message).toContain('is not authorized to perform: iam:GetAccountSummary');
    expect((await failure(c.organizations.send(new DescribeOrganizationCommand({})))).name).toBe(
      'AccessDeniedException',
    );
    // Only the named APIs are affected.
    await expect(c.iam.send(new ListOrganizationsFeaturesCommand({}))).resolves.toBeTruthy();
  });

  it('server-error: ServiceUnavailable 503 (query), InternalFailure 500 (JSON)', async () => {
    sim.faults.add({ kind: 'server-error' });
    const c = clients(sim.url, creds);
    const q = await failure(c.iam.send(new GetAccountSummaryCommand({})));
    expect(q.name).toBe('ServiceUnavailable');
    expect(q.$metadata?.httpStatusCode).toBe(503);
    const j = await failure(c.cloudtrail.send(new LookupEventsCommand({})));
    expect(j.name).toBe('InternalFailure');
    expect(j.$metadata?.httpStatusCode).toBe(500);
  });

  it('malformed: a truncated body fails to parse in the SDK', async () => {
    sim.faults.add({ kind: 'malformed' });
    const c = clients(sim.url, creds);
    const x = await failure(c.iam.send(new GetAccountSummaryCommand({})));
    const j = await failure(c.cloudtrail.send(new LookupEventsCommand({})));
    expect(x.message).toMatch(/XML parse error/);
    expect(j.name).toBe('SyntaxError');
    for (const e of [x, j]) expect(e.message).toContain('Deserialization error');
  });

  it('oversized: a valid 20 MiB document the SDK still reads', async () => {
    sim.faults.add({ kind: 'oversized', api: 'organizations:DescribeOrganization' });
    const out = await clients(sim.url, creds).organizations.send(new DescribeOrganizationCommand({}));
    expect(out.Organization?.MasterAccountId).toBe(accountId);
    const raw = await fetch(sim.url, {
      method: 'POST',
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/20260101/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=0`,
        'x-amz-target': 'AWSOrganizationsV20161128.DescribeOrganization',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    expect(Number(raw.headers.get('content-length'))).toBeGreaterThan(20 * 1024 * 1024);
    expect(JSON.parse(await raw.text()).Organization.MasterAccountId).toBe(accountId);
  });

  it('oversized, chunked: the padded document arrives without Content-Length', async () => {
    sim.faults.add({ kind: 'oversized', api: 'organizations:DescribeOrganization', bytes: 3_000_000, chunked: true });
    const raw = await fetch(sim.url, {
      method: 'POST',
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/20260101/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=0`,
        'x-amz-target': 'AWSOrganizationsV20161128.DescribeOrganization',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    expect(raw.headers.get('content-length')).toBeNull();
    expect(raw.headers.get('transfer-encoding')).toBe('chunked');
    const text = await raw.text();
    expect(text.length).toBeGreaterThan(3_000_000);
    expect(JSON.parse(text).Organization.MasterAccountId).toBe(accountId);
  });

  it('garbage: a huge body that is not a document fails in the SDK', async () => {
    sim.faults.add({ kind: 'garbage', bytes: 2 * 1024 * 1024, api: 'cloudtrail:*' });
    const err = await failure(clients(sim.url, creds).cloudtrail.send(new LookupEventsCommand({})));
    expect(err.name).toBe('SyntaxError');
    expect(err.message).toContain('Deserialization error');
  });

  it('hang: never answers, the SDK times out; close() still returns', async () => {
    sim.faults.add({ kind: 'hang', api: 'sts:GetCallerIdentity' });
    const t0 = Date.now();
    const err = await failure(
      clients(sim.url, creds, { requestTimeoutMs: 300 }).sts.send(new GetCallerIdentityCommand({})),
    );
    expect(err.name).toMatch(/Timeout/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('close() ends hung requests instead of waiting for them', async () => {
    const own = await startSimulator({ partners: 1, seed: 1 });
    own.faults.add({ kind: 'hang' });
    const pending = fetch(own.url, {
      method: 'POST',
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIAX/20260101/us-east-1/sts/aws4_request, Signature=0' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    }).then(
      () => 'answered',
      () => 'cut off',
    );
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await own.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await pending).toBe('cut off');
  });

  it('latency delays the answer by at least ms', async () => {
    sim.faults.add({ kind: 'latency', ms: 250 });
    const t0 = Date.now();
    await clients(sim.url, creds).iam.send(new GetAccountSummaryCommand({}));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(245);
  });

  it('faults can target one account', async () => {
    sim.faults.add({ kind: 'access-denied', accountId });
    expect((await failure(clients(sim.url, creds).iam.send(new GetAccountSummaryCommand({})))).name).toBe(
      'AccessDenied',
    );
    await expect(clients(sim.url, other).iam.send(new GetAccountSummaryCommand({}))).resolves.toBeTruthy();
    // The hub is an account too: its AssumeRole still works.
    await expect(clients(sim.url, HUB_CREDS).sts.send(new GetCallerIdentityCommand({}))).resolves.toBeTruthy();
  });
});

describe('admin API', () => {
  it('POST /_sim/faults installs a fault and returns its id; DELETE removes it', async () => {
    const r = await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'throttle', api: 'iam:GetAccountSummary' }),
    });
    expect(r.status).toBe(201);
    const { id } = (await r.json()) as { id: string };
    expect(id).toMatch(/^f\d+$/);
    expect((await failure(clients(sim.url, creds).iam.send(new GetAccountSummaryCommand({})))).name).toBe('Throttling');
    expect((await fetch(`${sim.url}/_sim/faults/${id}`, { method: 'DELETE' })).status).toBe(200);
    await expect(clients(sim.url, creds).iam.send(new GetAccountSummaryCommand({}))).resolves.toBeTruthy();
    await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ kind: 'server-error' }) });
    expect(((await (await fetch(`${sim.url}/_sim/faults`)).json()) as unknown[]).length).toBe(1);
    expect((await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' })).status).toBe(200);
    expect(await (await fetch(`${sim.url}/_sim/faults`)).json()).toEqual([]);
  });

  it('bad fault specs get a clear 400 and change nothing', async () => {
    for (const body of [
      'not json',
      '{"kind":"explode"}',
      '{"kind":"throttle","rate":2}',
      '{"kind":"latency"}',
      '{"kind":"throttle","accountId":"12"}',
      '{"kind":"throttle","oops":1}',
      '{"kind":"throttle","jitterMs":10}',
      '{"kind":"latency","ms":1,"jitterMs":-1}',
      '{"kind":"throttle","chunked":true}',
      '{"kind":"oversized","chunked":"yes"}',
    ]) {
      const r = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: string }).error.length).toBeGreaterThan(5);
    }
    expect(sim.faults.list()).toEqual([]);
  });

  it('GET /_sim/estate summarises partners and profiles', async () => {
    const s = (await (await fetch(`${sim.url}/_sim/estate`)).json()) as {
      partners: { id: string; profiles: string[] }[];
      payers: number;
      seed: number;
    };
    expect(s.seed).toBe(11);
    expect(s.partners.map((p) => p.id)).toEqual(sim.estate.partners.map((p) => p.id));
    expect(s.payers).toBe(sim.registry().length);
  });
});

describe('fault matching (pure)', () => {
  it('matches service:Action, Action and service:*', () => {
    expect(apiMatches('iam:GetRole', 'iam:GetRole')).toBe(true);
    expect(apiMatches('GetRole', 'iam:GetRole')).toBe(true);
    expect(apiMatches('iam:*', 'iam:GetRole')).toBe(true);
    expect(apiMatches('sts:*', 'iam:GetRole')).toBe(false);
    expect(apiMatches('GetRoles', 'iam:GetRole')).toBe(false);
  });

  it('rate decides how often a fault fires', () => {
    let i = 0;
    const seq = [0.1, 0.6, 0.3, 0.9];
    const f = new Faults(() => seq[i++ % seq.length]!);
    f.add({ kind: 'throttle', rate: 0.5 });
    const fired = [0, 1, 2, 3].map(() => f.plan('123456789012', 'iam:GetRole').fault?.kind ?? null);
    expect(fired).toEqual(['throttle', null, 'throttle', null]);
  });

  it('latency jitter adds 0..jitterMs to ms, drawn per request', () => {
    let i = 0;
    // Each plan draws twice: the rate check, then the jitter.
    const seq = [0, 0, 0, 0.5, 0, 0.9999];
    const f = new Faults(() => seq[i++]!);
    f.add({ kind: 'latency', ms: 100, jitterMs: 50 });
    const delays = [0, 1, 2].map(() => f.plan('123456789012', 'iam:GetRole').latencyMs);
    expect(delays).toEqual([100, 125, 150]);
  });
});
