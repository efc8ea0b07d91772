import type { RegistryEntry } from '@payerguard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileId } from './profiles.js';
import { type Simulator, startSimulator } from './server.js';
import { type AwsCliResult, cliError, runAwsCli } from './testing/aws-cli.js';
import { botocoreVersion, checkShape, errorCodes, loadModel } from './testing/botocore-models.js';
import { assume } from './testing/clients.js';

/**
 * The simulator as an independent client sees it: every API the collectors call (grep workers/src/collectors for
 * `Command(`), run through the AWS CLI on PATH (botocore's own parsers), its answers checked against botocore's
 * service models. A shared misunderstanding between our SDK calls and our simulator cannot pass here.
 */

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken: string };

interface Case {
  /** botocore service directory and operation name. */
  service: string;
  operation: string;
  profile: ProfileId;
  args: (ctx: { entry: RegistryEntry; sim: Simulator }) => string[];
  region?: string;
  /** Run with the hub's keys instead of the payer's session. */
  hub?: boolean;
  /** The answer must be this error code; unset means success. */
  error?: string;
  /** Further checks of the CLI's parsed answer. */
  check?: (json: Record<string, unknown>, ctx: { entry: RegistryEntry; sim: Simulator }) => void;
  /** Model deviations accepted on purpose, each printed when it occurs (never silently). */
  tolerate?: { pattern: RegExp; why: string };
  /** Raw JSON request body, for JSON-protocol operations: the raw answer is checked strictly against the model. */
  raw?: Record<string, unknown>;
}

const MONITOR = 'DistributorRootActivityMonitor';
const monthStart = (k: number) => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - k, 1)).toISOString().slice(0, 10);
};
const list = (j: Record<string, unknown>, k: string) => j[k] as unknown[];

/** Every API in workers/src/collectors, with the answers and errors the collectors rely on. */
const CASES: Case[] = [
  {
    service: 'sts',
    operation: 'AssumeRole',
    profile: 'compliant',
    hub: true,
    args: ({ entry }) => [
      'sts',
      'assume-role',
      '--role-arn',
      entry.roleArn,
      '--role-session-name',
      'cli',
      '--external-id',
      entry.externalId,
    ],
    check: (j) => expect((j.Credentials as { AccessKeyId: string }).AccessKeyId).toMatch(/^ASIA/),
  },
  {
    service: 'sts',
    operation: 'AssumeRole',
    profile: 'lockout-external-id',
    hub: true,
    error: 'AccessDenied',
    args: ({ entry }) => [
      'sts',
      'assume-role',
      '--role-arn',
      entry.roleArn,
      '--role-session-name',
      'cli',
      '--external-id',
      entry.externalId,
    ],
  },
  {
    service: 'sts',
    operation: 'GetCallerIdentity',
    profile: 'compliant',
    args: () => ['sts', 'get-caller-identity'],
    check: (j, { entry }) => expect(j.Account).toBe(entry.payerAccountId),
  },
  {
    service: 'organizations',
    operation: 'DescribeOrganization',
    profile: 'compliant',
    args: () => ['organizations', 'describe-organization'],
    raw: {},
  },
  {
    service: 'organizations',
    operation: 'ListAccounts',
    profile: 'compliant',
    // Pages of 2: the CLI follows NextToken itself and must end with every account.
    args: () => ['organizations', 'list-accounts', '--page-size', '2'],
    check: (j, { entry, sim }) =>
      expect(list(j, 'Accounts')).toHaveLength(sim.estate.account(entry.payerAccountId)!.members.length),
    raw: { MaxResults: 2 },
  },
  {
    service: 'account',
    operation: 'GetContactInformation',
    profile: 'compliant',
    args: () => ['account', 'get-contact-information'],
    raw: {},
  },
  {
    service: 'account',
    operation: 'GetAlternateContact',
    profile: 'compliant',
    args: () => ['account', 'get-alternate-contact', '--alternate-contact-type', 'BILLING'],
    raw: { AlternateContactType: 'BILLING' },
  },
  {
    service: 'account',
    operation: 'GetAlternateContact',
    profile: 'foreign-root-email',
    error: 'ResourceNotFoundException',
    // The simulator answers "not set" for member accounts' contacts; the payer itself is asked for a type it may lack.
    args: ({ sim, entry }) => {
      const has = sim.estate.account(entry.payerAccountId)!.alternateContacts;
      const missing = (['OPERATIONS', 'SECURITY'] as const).find((t) => !has[t]);
      return missing
        ? ['account', 'get-alternate-contact', '--alternate-contact-type', missing]
        : [
            'account',
            'get-alternate-contact',
            '--alternate-contact-type',
            'OPERATIONS',
            '--account-id',
            '000000000000',
          ];
    },
  },
  {
    service: 'account',
    operation: 'ListRegions',
    profile: 'compliant',
    args: () => [
      'account',
      'list-regions',
      '--region-opt-status-contains',
      'ENABLED',
      'ENABLED_BY_DEFAULT',
      '--page-size',
      '5',
    ],
    check: (j, { sim, entry }) =>
      expect(list(j, 'Regions')).toHaveLength(
        sim.estate.account(entry.payerAccountId)!.regions.filter((r) => r.RegionOptStatus !== 'DISABLED').length,
      ),
    raw: { MaxResults: 5 },
  },
  {
    service: 'iam',
    operation: 'GetAccountSummary',
    profile: 'root-access-key',
    args: () => ['iam', 'get-account-summary'],
    check: (j) => expect((j.SummaryMap as Record<string, number>).AccountAccessKeysPresent).toBe(1),
  },
  {
    service: 'iam',
    operation: 'ListVirtualMFADevices',
    profile: 'root-virtual-mfa',
    args: () => ['iam', 'list-virtual-mfa-devices'],
    tolerate: {
      pattern: /\.User\.(UserName|Path): required member missing$/,
      why: "the simulator names the root user's device by Arn and UserId only (root has no IAM user name or path); not verified against a live account",
    },
  },
  {
    service: 'iam',
    operation: 'GenerateCredentialReport',
    profile: 'compliant',
    args: () => ['iam', 'generate-credential-report'],
    check: (j) => expect(['STARTED', 'INPROGRESS', 'COMPLETE']).toContain(j.State),
  },
  {
    service: 'iam',
    operation: 'GetCredentialReport',
    profile: 'root-no-mfa',
    error: 'ReportNotPresent',
    args: () => ['iam', 'get-credential-report'],
  },
  {
    service: 'iam',
    operation: 'ListOrganizationsFeatures',
    profile: 'central-root-on',
    args: () => ['iam', 'list-organizations-features'],
  },
  {
    service: 'iam',
    operation: 'GetAccountAuthorizationDetails',
    profile: 'compliant',
    // Pages of 3 through Marker / IsTruncated, merged by botocore's paginator.
    args: () => ['iam', 'get-account-authorization-details', '--page-size', '3'],
    check: (j, { sim, entry }) => {
      const a = sim.estate.account(entry.payerAccountId)!;
      expect(list(j, 'UserDetailList')).toHaveLength(a.users.length);
      expect(list(j, 'RoleDetailList')).toHaveLength(a.roles.length);
    },
  },
  {
    service: 'iam',
    operation: 'GetRole',
    profile: 'compliant',
    args: () => ['iam', 'get-role', '--role-name', 'DistributorBillingAdmin'],
  },
  {
    service: 'iam',
    operation: 'GetRole',
    profile: 'billing-role-missing',
    error: 'NoSuchEntity',
    args: () => ['iam', 'get-role', '--role-name', 'DistributorBillingAdmin'],
  },
  {
    service: 'cloudtrail',
    operation: 'LookupEvents',
    profile: 'root-activity-other-region',
    region: 'eu-central-1',
    args: () => [
      'cloudtrail',
      'lookup-events',
      '--lookup-attributes',
      'AttributeKey=Username,AttributeValue=root',
      '--page-size',
      '1',
    ],
    check: (j, { sim, entry }) => {
      const want = sim.estate
        .account(entry.payerAccountId)!
        .events.filter((e) => e.region === 'eu-central-1' && e.username === 'root');
      expect(list(j, 'Events')).toHaveLength(want.length);
      for (const e of list(j, 'Events') as { CloudTrailEvent: string }[])
        expect(JSON.parse(e.CloudTrailEvent).awsRegion).toBe('eu-central-1');
    },
    raw: { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'root' }], MaxResults: 1 },
  },
  {
    service: 'cloudtrail',
    operation: 'LookupEvents',
    profile: 'compliant',
    error: 'InvalidLookupAttributesException',
    args: () => [
      'cloudtrail',
      'lookup-events',
      '--lookup-attributes',
      'AttributeKey=Username,AttributeValue=root',
      'AttributeKey=EventName,AttributeValue=ConsoleLogin',
    ],
  },
  {
    service: 'cloudtrail',
    operation: 'DescribeTrails',
    profile: 'compliant',
    args: () => ['cloudtrail', 'describe-trails'],
    raw: { includeShadowTrails: true },
  },
  {
    service: 'cloudtrail',
    operation: 'GetTrailStatus',
    profile: 'trail-stopped',
    args: ({ entry }) => [
      'cloudtrail',
      'get-trail-status',
      '--name',
      `arn:aws:cloudtrail:us-east-1:${entry.payerAccountId}:trail/distributor-org-trail`,
    ],
    check: (j) => expect(j.IsLogging).toBe(false),
  },
  {
    service: 'cloudtrail',
    operation: 'GetTrailStatus',
    profile: 'compliant',
    error: 'TrailNotFoundException',
    args: () => ['cloudtrail', 'get-trail-status', '--name', 'no-such-trail'],
  },
  {
    service: 'events',
    operation: 'ListRules',
    profile: 'large-payer',
    // 140+ rules: pages of 100 followed by botocore's paginator.
    args: () => ['events', 'list-rules'],
    check: (j, { sim, entry }) =>
      expect(list(j, 'Rules')).toHaveLength(
        sim.estate.account(entry.payerAccountId)!.rules.filter((r) => r.region === 'us-east-1').length,
      ),
    raw: { Limit: 100 },
  },
  {
    service: 'events',
    operation: 'ListTargetsByRule',
    profile: 'compliant',
    region: 'ap-southeast-2',
    args: () => ['events', 'list-targets-by-rule', '--rule', MONITOR],
    check: (j) => expect(list(j, 'Targets')).toHaveLength(1),
    raw: { Rule: MONITOR },
  },
  {
    service: 'events',
    operation: 'ListTargetsByRule',
    profile: 'monitor-rule-missing',
    error: 'ResourceNotFoundException',
    args: () => ['events', 'list-targets-by-rule', '--rule', MONITOR],
  },
  {
    service: 'ce',
    operation: 'GetCostAndUsage',
    profile: 'compliant',
    args: () => [
      'ce',
      'get-cost-and-usage',
      '--time-period',
      `Start=${monthStart(6)},End=${monthStart(-1)}`,
      '--granularity',
      'MONTHLY',
      '--metrics',
      'UnblendedCost',
    ],
    check: (j) => expect(list(j, 'ResultsByTime').length).toBeGreaterThanOrEqual(7),
    raw: {
      TimePeriod: { Start: monthStart(6), End: monthStart(-1) },
      Granularity: 'MONTHLY',
      Metrics: ['UnblendedCost'],
    },
  },
];

let sim: Simulator;
const sessions = new Map<string, Creds>();
const results = new Map<Case, AwsCliResult>();
const version = botocoreVersion();

const entryFor = (profile: ProfileId): RegistryEntry => {
  const partner = sim.estate.partners.find((p) => p.profiles.includes(profile));
  const e = sim.registry().find((r) => r.payerAccountId === partner?.payerAccountIds[0]);
  if (!e) throw new Error(`no payer with profile ${profile}`);
  return e;
};

/** At most `n` CLI processes at once: each is a Python start-up (~0.5 s of CPU). */
async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>) {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

beforeAll(async () => {
  sim = await startSimulator({ partners: 40, seed: 7, credentialReportDelayMs: 0 });
  // Sessions from the SDK (cheap); the CLI's own AssumeRole is one of the cases below.
  for (const p of new Set(CASES.filter((c) => !c.hub).map((c) => c.profile))) {
    const c = await assume(sim.url, entryFor(p));
    sessions.set(p, { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken! });
  }
  await pool(CASES, 4, async (c) => {
    const entry = entryFor(c.profile);
    results.set(
      c,
      await runAwsCli(sim.url, c.args({ entry, sim }), {
        ...(c.hub ? {} : sessions.get(c.profile)),
        region: c.region ?? 'us-east-1',
      }),
    );
  });
  // Each CLI start is ~0.5 s of CPU on an idle machine; a loaded one needs the room.
}, 400_000);
afterAll(async () => {
  await sim?.close();
});

/** The raw answer of a JSON-protocol operation, for the strict member check (botocore drops unknown members). */
async function raw(c: Case, body: Record<string, unknown>): Promise<unknown> {
  const model = loadModel(c.service);
  const md = model.metadata as unknown as {
    targetPrefix?: string;
    signingName?: string;
    endpointPrefix: string;
    protocol: string;
  };
  const creds = sessions.get(c.profile)!;
  const region = c.region ?? 'us-east-1';
  const headers: Record<string, string> = {
    // The simulator reads the credential scope; the signature itself is not what this test is about.
    authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/20260101/${region}/${md.signingName ?? md.endpointPrefix}/aws4_request, SignedHeaders=host, Signature=0`,
    'x-amz-security-token': creds.sessionToken,
  };
  let url = `${sim.url}/`;
  if (md.protocol === 'json') {
    headers['x-amz-target'] = `${md.targetPrefix}.${c.operation}`;
    headers['content-type'] = 'application/x-amz-json-1.1';
  } else {
    url = `${sim.url}${(model.operations[c.operation] as { http: { requestUri: string } }).http.requestUri}`;
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return res.json();
}

describe(`AWS CLI (botocore ${version}) against the simulator`, () => {
  it('covers every API the collectors call', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const dir = new URL('../../workers/src/collectors/', import.meta.url);
    const called = new Set<string>();
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.ts') || f.endsWith('.test.ts')) continue;
      for (const m of readFileSync(new URL(f, dir), 'utf8').matchAll(/new (\w+)Command\(/g)) called.add(m[1]!);
    }
    expect([...called].sort()).toEqual([...new Set(CASES.map((c) => c.operation))].sort());
  });

  for (const c of CASES) {
    const title = `${c.service} ${c.operation} (${c.profile}${c.region ? `, ${c.region}` : ''}) ${c.error ? `answers ${c.error}` : 'parses and matches the model'}`;
    it(title, async () => {
      const model = loadModel(c.service);
      const op = model.operations[c.operation];
      if (!op) {
        // Not a pass on a shared misunderstanding: say loudly what was not checked.
        console.warn(`NOT CHECKED: botocore ${version} does not know ${c.service}:${c.operation}`);
        return;
      }
      const r = results.get(c)!;
      const ctx = { entry: entryFor(c.profile), sim };
      if (c.error) {
        expect(r.code, r.stdout).not.toBe(0);
        const e = cliError(r.stderr);
        expect(e, r.stderr).toEqual({ code: c.error, operation: c.operation });
        expect(
          errorCodes(model, c.operation),
          `${c.error} is not an error the model documents for ${c.operation}`,
        ).toContain(c.error);
        return;
      }
      expect(r.code, r.stderr).toBe(0);
      const json = r.json as Record<string, unknown>;
      const problems = checkShape(model, op.output!.shape, json, { strict: true });
      const tolerated = c.tolerate ? problems.filter((p) => c.tolerate!.pattern.test(p)) : [];
      if (tolerated.length)
        console.warn(`TOLERATED for ${c.service}:${c.operation} (${c.tolerate!.why}):\n  ${tolerated.join('\n  ')}`);
      expect(problems.filter((p) => !tolerated.includes(p))).toEqual([]);
      c.check?.(json, ctx);
      if (c.raw) {
        const answer = (await raw(c, c.raw)) as Record<string, unknown>;
        expect(checkShape(model, op.output!.shape, answer, { strict: true, rawTimestamps: true })).toEqual([]);
        const pager = model.paginators[c.operation];
        if (pager && typeof pager.output_token === 'string' && answer[pager.output_token] === undefined) {
          // A single page: nothing more to check. More pages must use the model's token name (checked by strict).
        }
      }
    });
  }
});
