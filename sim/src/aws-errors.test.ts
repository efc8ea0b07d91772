import { GetAccountSummaryCommand } from '@aws-sdk/client-iam';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import type { RegistryEntry } from '@payerguard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileId } from './profiles.js';
import { type Simulator, startSimulator } from './server.js';
import { runAwsCli } from './testing/aws-cli.js';
import { assume, type Creds, clients, failure } from './testing/clients.js';

/**
 * The error answers of issue 10's profiles, read by botocore (the AWS CLI on PATH) and by the SDK: the code, the
 * HTTP status and the shape each must have, as botocore's service models document them.
 */

let sim: Simulator;
/** A second estate whose sessions expire within the test, and a third whose credential reports do. */
let shortLived: Simulator;
let shortReports: Simulator;
// Long enough for two AWS CLI starts (seconds each on a busy machine) before the report expires.
const REPORT_TTL_MS = 20_000;

const entryFor = (s: Simulator, profile: ProfileId): RegistryEntry => {
  const partner = s.estate.partners.find((p) => p.profiles.includes(profile));
  if (!partner) throw new Error(`no partner with profile ${profile}`);
  const e = s.registry().find((r) => r.payerAccountId === partner.payerAccountIds[0]);
  if (!e) throw new Error(`no registry entry for ${partner.id}`);
  return e;
};
const cliAs = (s: Simulator, c: Creds, args: string[]) =>
  runAwsCli(s.url, args, {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
  });
/** botocore prints "An error occurred (CODE) when calling the OP operation: MESSAGE". */
const errorCode = (stderr: string) => /An error occurred \(([^)]+)\)/.exec(stderr)?.[1];

beforeAll(async () => {
  [sim, shortLived, shortReports] = await Promise.all([
    startSimulator({ partners: 40, seed: 10, credentialReportDelayMs: 0 }),
    startSimulator({ partners: 3, seed: 10, sessionLifetimeSeconds: 1 }),
    startSimulator({ partners: 3, seed: 10, credentialReportDelayMs: 0, credentialReportTtlMs: REPORT_TTL_MS }),
  ]);
});
afterAll(async () => {
  await Promise.all([sim.close(), shortLived.close(), shortReports.close()]);
});

describe('standalone-payer: in no organization', () => {
  it('Organizations answers AWSOrganizationsNotInUseException (HTTP 400) to every call, IAM OrganizationNotFoundException', async () => {
    const creds = await assume(sim.url, entryFor(sim, 'standalone-payer'));
    for (const args of [
      ['organizations', 'describe-organization'],
      ['organizations', 'list-accounts'],
    ]) {
      const r = await cliAs(sim, creds, args);
      expect(r.code, r.stdout).not.toBe(0);
      expect(errorCode(r.stderr)).toBe('AWSOrganizationsNotInUseException');
    }
    const err = await failure(clients(sim.url, creds).organizations.send(new DescribeOrganizationCommand({})));
    expect(err.name).toBe('AWSOrganizationsNotInUseException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    const f = await cliAs(sim, creds, ['iam', 'list-organizations-features']);
    expect(errorCode(f.stderr)).toBe('OrganizationNotFoundException');
  });
});

describe("member-payer: a member of another party's organization", () => {
  it('DescribeOrganization names the other management account; ListAccounts is refused; IAM says not management', async () => {
    const entry = entryFor(sim, 'member-payer');
    const creds = await assume(sim.url, entry);
    const d = await cliAs(sim, creds, ['organizations', 'describe-organization']);
    expect(d.code, d.stderr).toBe(0);
    const org = (d.json as { Organization: { MasterAccountId: string; MasterAccountEmail: string; Id: string } })
      .Organization;
    expect(org.MasterAccountId).toMatch(/^\d{12}$/);
    expect(org.MasterAccountId).not.toBe(entry.payerAccountId);
    expect(org.Id).toMatch(/^o-[a-z0-9]{10,32}$/);
    const l = await cliAs(sim, creds, ['organizations', 'list-accounts']);
    expect(errorCode(l.stderr)).toBe('AccessDeniedException');
    const f = await cliAs(sim, creds, ['iam', 'list-organizations-features']);
    expect(errorCode(f.stderr)).toBe('AccountNotManagementOrDelegatedAdministratorException');
  });
});

describe('central-root-untrusted: trusted access for IAM is off', () => {
  it('ListOrganizationsFeatures answers ServiceAccessNotEnabledException, a compliant payer its features', async () => {
    const untrusted = await cliAs(sim, await assume(sim.url, entryFor(sim, 'central-root-untrusted')), [
      'iam',
      'list-organizations-features',
    ]);
    expect(errorCode(untrusted.stderr)).toBe('ServiceAccessNotEnabledException');
    const on = await cliAs(sim, await assume(sim.url, entryFor(sim, 'central-root-on')), [
      'iam',
      'list-organizations-features',
    ]);
    expect(on.code, on.stderr).toBe(0);
    expect((on.json as { EnabledFeatures: string[] }).EnabledFeatures).toEqual([
      'RootCredentialsManagement',
      'RootSessions',
    ]);
  });
});

describe('sts-flaky: AssumeRole throttled or 5xx for a while, then fine', () => {
  it('answers Throttling, ServiceUnavailable, Throttling, then credentials', async () => {
    const e = entryFor(sim, 'sts-flaky');
    const args = [
      'sts',
      'assume-role',
      '--role-arn',
      e.roleArn,
      '--external-id',
      e.externalId,
      '--role-session-name',
      'cli',
    ];
    const seen: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) seen.push(errorCode((await runAwsCli(sim.url, args)).stderr));
    expect(seen).toEqual(['Throttling', 'ServiceUnavailable', 'Throttling']);
    const ok = await runAwsCli(sim.url, args);
    expect(ok.code, ok.stderr).toBe(0);
    expect((ok.json as { Credentials: { AccessKeyId: string } }).Credentials.AccessKeyId).toMatch(/^ASIA/);
  });
});

describe('expiry', () => {
  it('an expired session is ExpiredToken with HTTP 403 from IAM (awsQuery), not AccessDenied', async () => {
    const creds = await assume(shortLived.url, shortLived.registry()[0]!);
    await new Promise((r) => setTimeout(r, 1_100));
    const r = await cliAs(shortLived, creds, ['iam', 'get-account-summary']);
    expect(errorCode(r.stderr)).toBe('ExpiredToken');
    const err = await failure(clients(shortLived.url, creds).iam.send(new GetAccountSummaryCommand({})));
    expect(err.name).toBe('ExpiredToken');
    expect(err.$metadata?.httpStatusCode).toBe(403);
  });
  it('a credential report past its lifetime is ReportExpired (410) until generated anew; GeneratedTime is sent', async () => {
    const creds = await assume(shortReports.url, shortReports.registry()[1]!);
    const cli = (args: string[]) => cliAs(shortReports, creds, args);
    expect((await cli(['iam', 'generate-credential-report'])).json).toMatchObject({ State: 'STARTED' });
    // The report was generated before the CLI returned: its lifetime ends by this time + TTL, whatever the CLI's start-up.
    const generatedBy = Date.now();
    const fresh = await cli(['iam', 'get-credential-report']);
    expect(fresh.code, fresh.stderr).toBe(0);
    const generated = Date.parse((fresh.json as { GeneratedTime: string }).GeneratedTime);
    expect(Math.abs(Date.now() - generated)).toBeLessThan(60_000);
    await new Promise((r) => setTimeout(r, Math.max(0, generatedBy + REPORT_TTL_MS + 500 - Date.now())));
    expect(errorCode((await cli(['iam', 'get-credential-report'])).stderr)).toBe('ReportExpired');
    expect((await cli(['iam', 'generate-credential-report'])).json).toMatchObject({ State: 'STARTED' });
    expect((await cli(['iam', 'get-credential-report'])).code).toBe(0);
  });
});
