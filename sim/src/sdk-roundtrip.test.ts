import { GetAlternateContactCommand, GetContactInformationCommand } from '@aws-sdk/client-account';
import {
  DescribeTrailsCommand,
  type Event,
  GetTrailStatusCommand,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import { GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { DescribeRuleCommand, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetRoleCommand,
  type GroupDetail,
  ListOrganizationsFeaturesCommand,
  ListVirtualMFADevicesCommand,
  type ManagedPolicyDetail,
  type RoleDetail,
  type UserDetail,
} from '@aws-sdk/client-iam';
import {
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { boundaryArnFor, type RegistryEntry } from '@payerguard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileId } from './profiles.js';
import { type Simulator, startSimulator } from './server.js';
import { CREDENTIAL_REPORT_COLUMNS } from './services/iam.js';
import { assume, type Creds, clients, failure, HUB_CREDS } from './testing/clients.js';

let sim: Simulator;
const entryFor = (profile: ProfileId): RegistryEntry => {
  const partner = sim.estate.partners.find((p) => p.profiles.includes(profile));
  if (!partner) throw new Error(`no partner with profile ${profile}`);
  const e = sim.registry().find((r) => r.payerAccountId === partner.payerAccountIds[0]);
  if (!e) throw new Error(`no registry entry for ${partner.id}`);
  return e;
};
const as = async (profile: ProfileId) => clients(sim.url, await assume(sim.url, entryFor(profile)));
const decode = (s: string | undefined) => JSON.parse(decodeURIComponent(s ?? '')) as { Statement: { Sid?: string }[] };

beforeAll(async () => {
  sim = await startSimulator({ partners: 40, seed: 7, credentialReportDelayMs: 150 });
});
afterAll(async () => {
  await sim.close();
});

describe('STS', () => {
  it('the hub is whoever the simulator did not issue keys to', async () => {
    const out = await clients(sim.url, HUB_CREDS).sts.send(new GetCallerIdentityCommand({}));
    expect(out.Account).toBe('111111111111');
    expect(out.Arn).toMatch(/^arn:aws:sts::111111111111:assumed-role\//);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('AssumeRole returns credentials that select the target account', async () => {
    const e = entryFor('compliant');
    const out = await clients(sim.url, HUB_CREDS).sts.send(
      new AssumeRoleCommand({
        RoleArn: e.roleArn,
        ExternalId: e.externalId,
        RoleSessionName: 'payerguard-collector',
        DurationSeconds: 900,
      }),
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(800_000);
    expect(out.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${e.payerAccountId}:assumed-role/PayerGuardCollector/payerguard-collector`,
    );
    const c = out.Credentials!;
    const who = await clients(sim.url, {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    }).sts.send(new GetCallerIdentityCommand({}));
    expect(who.Account).toBe(e.payerAccountId);
    // Two payers, two sessions: each answers from its own account.
    const other = sim.registry().find((r) => r.payerAccountId !== e.payerAccountId)!;
    const org = await clients(sim.url, await assume(sim.url, other)).organizations.send(
      new DescribeOrganizationCommand({}),
    );
    expect(org.Organization?.MasterAccountId).toBe(other.payerAccountId);
  });

  it('a wrong ExternalId is AccessDenied, worded as AWS does', async () => {
    const e = entryFor('compliant');
    const err = await failure(
      clients(sim.url, HUB_CREDS).sts.send(
        new AssumeRoleCommand({ RoleArn: e.roleArn, ExternalId: 'wrong-id', RoleSessionName: 's' + 'x' }),
      ),
    );
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata?.httpStatusCode).toBe(403);
    expect(err.message).toBe(
      `User: arn:aws:sts::111111111111:assumed-role/PayerGuardHub/payerguard is not authorized to perform: sts:AssumeRole on resource: ${e.roleArn}`,
    );
  });

  it('a deleted collector role (lockout) and a rotated ExternalId are both AccessDenied', async () => {
    for (const profile of ['lockout', 'lockout-external-id'] as const) {
      const e = entryFor(profile);
      const err = await failure(assume(sim.url, e));
      expect(err.name).toBe('AccessDenied');
      expect(err.message).toContain(`on resource: arn:aws:iam::${e.payerAccountId}:role/PayerGuardCollector`);
    }
  });

  it('a session from one payer cannot hop into another payer', async () => {
    const a = clients(sim.url, await assume(sim.url, entryFor('compliant')));
    const b = entryFor('root-no-mfa');
    const err = await failure(
      a.sts.send(new AssumeRoleCommand({ RoleArn: b.roleArn, ExternalId: b.externalId, RoleSessionName: 'hop' })),
    );
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toContain(
      `User: arn:aws:sts::${entryFor('compliant').payerAccountId}:assumed-role/PayerGuardCollector/`,
    );
  });

  it('rejects bad input with a validation error, not a crash', async () => {
    const err = await failure(
      clients(sim.url, HUB_CREDS).sts.send(
        new AssumeRoleCommand({ RoleArn: 'not-an-arn', RoleSessionName: 'ok-name' }),
      ),
    );
    expect(err.name).toBe('ValidationError');
  });
});

describe('Organizations and Account', () => {
  it('DescribeOrganization, ListAccounts pages of 20, DescribeAccount', async () => {
    const c = await as('large-payer');
    const org = await c.organizations.send(new DescribeOrganizationCommand({}));
    expect(org.Organization?.Id).toMatch(/^o-[a-z0-9]{10}$/);
    expect(org.Organization?.MasterAccountEmail).toMatch(/@distributor\.example$/);
    const ids: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const out = await c.organizations.send(new ListAccountsCommand({ NextToken }));
      expect(out.Accounts!.length).toBeLessThanOrEqual(20);
      for (const a of out.Accounts ?? []) {
        expect(a.JoinedTimestamp).toBeInstanceOf(Date);
        ids.push(a.Id!);
      }
      NextToken = out.NextToken;
      pages++;
    } while (NextToken);
    expect(ids.length).toBeGreaterThan(300);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBe(Math.ceil(ids.length / 20));
    const one = await c.organizations.send(new DescribeAccountCommand({ AccountId: ids[5] }));
    expect(one.Account?.Id).toBe(ids[5]);
    const missing = await failure(c.organizations.send(new DescribeAccountCommand({ AccountId: '999999999999' })));
    expect(missing.name).toBe('AccountNotFoundException');
  });

  it('foreign-root-email shows the partner domain as the management email', async () => {
    const org = await (await as('foreign-root-email')).organizations.send(new DescribeOrganizationCommand({}));
    expect(org.Organization?.MasterAccountEmail).not.toMatch(/@distributor\.example$/);
  });

  it('contact information and alternate contacts, ResourceNotFound when unset', async () => {
    const c = await as('compliant');
    const info = await c.account.send(new GetContactInformationCommand({}));
    expect(info.ContactInformation?.FullName).toBeTruthy();
    expect(info.ContactInformation?.CountryCode).toMatch(/^[A-Z]{2}$/);
    const billing = await c.account.send(new GetAlternateContactCommand({ AlternateContactType: 'BILLING' }));
    expect(billing.AlternateContact?.EmailAddress).toBe('billing@distributor.example');
    const foreign = await (await as('foreign-billing-contact')).account.send(
      new GetAlternateContactCommand({ AlternateContactType: 'BILLING' }),
    );
    expect(foreign.AlternateContact?.EmailAddress).not.toMatch(/@distributor\.example$/);
    // Find a payer with no OPERATIONS contact and check the error AWS gives.
    const unset = sim.estate.payers
      .map((p) => sim.estate.account(p.accountId)!)
      .find(
        (a) =>
          !a.alternateContacts.OPERATIONS &&
          !a.payer.profiles.includes('lockout') &&
          !a.payer.profiles.includes('lockout-external-id'),
      )!;
    const cu = clients(
      sim.url,
      await assume(sim.url, sim.registry().find((r) => r.payerAccountId === unset.accountId)!),
    );
    const err = await failure(cu.account.send(new GetAlternateContactCommand({ AlternateContactType: 'OPERATIONS' })));
    expect(err.name).toBe('ResourceNotFoundException');
    const bad = await failure(
      c.account.send(new GetAlternateContactCommand({ AlternateContactType: 'NOPE' as 'BILLING' })),
    );
    expect(bad.name).toBe('ValidationException');
  });
});

describe('IAM', () => {
  it('GetAccountSummary reflects root MFA, keys and certificates', async () => {
    const map = async (p: ProfileId) => (await (await as(p)).iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
    expect((await map('compliant')).AccountMFAEnabled).toBe(1);
    expect((await map('root-no-mfa')).AccountMFAEnabled).toBe(0);
    expect((await map('root-access-key')).AccountAccessKeysPresent).toBe(1);
    expect((await map('root-signing-cert')).AccountSigningCertificatesPresent).toBe(1);
    expect((await map('compliant')).AccountAccessKeysPresent).toBe(0);
  });

  it("ListVirtualMFADevices shows root's virtual device only for root-virtual-mfa", async () => {
    const rootDevice = async (p: ProfileId) =>
      (
        (await (await as(p)).iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Any' })))
          .VirtualMFADevices ?? []
      ).find((d) => d.User?.Arn?.endsWith(':root'));
    const dev = await rootDevice('root-virtual-mfa');
    expect(dev?.SerialNumber).toMatch(/:mfa\/root-account-mfa-device$/);
    expect(dev?.EnableDate).toBeInstanceOf(Date);
    expect(await rootDevice('compliant')).toBeUndefined();
  });

  it('credential report: ReportNotPresent, STARTED, ReportInProgress, then base64 CSV with AWS columns', async () => {
    const c = await as('root-access-key');
    expect((await failure(c.iam.send(new GetCredentialReportCommand({})))).name).toBe(
      'CredentialReportNotPresentException',
    );
    expect((await c.iam.send(new GenerateCredentialReportCommand({}))).State).toBe('STARTED');
    expect((await failure(c.iam.send(new GetCredentialReportCommand({})))).name).toBe(
      'CredentialReportNotReadyException',
    );
    await new Promise((r) => setTimeout(r, 200));
    expect((await c.iam.send(new GenerateCredentialReportCommand({}))).State).toBe('COMPLETE');
    const out = await c.iam.send(new GetCredentialReportCommand({}));
    expect(out.ReportFormat).toBe('text/csv');
    const lines = Buffer.from(out.Content!).toString('utf8').split('\n');
    expect(lines[0]!.split(',')).toEqual([...CREDENTIAL_REPORT_COLUMNS]);
    const root = Object.fromEntries(lines[0]!.split(',').map((k, i) => [k, lines[1]!.split(',')[i]]));
    expect(root.user).toBe('<root_account>');
    expect(root.access_key_1_active).toBe('true');
    expect(root.password_enabled).toBe('not_supported');
    expect(lines.length).toBe(1 + 1 + sim.estate.account(entryFor('root-access-key').payerAccountId)!.users.length);
  });

  it('ListOrganizationsFeatures: central root access on and off', async () => {
    const on = await (await as('central-root-on')).iam.send(new ListOrganizationsFeaturesCommand({}));
    expect(on.EnabledFeatures).toEqual(['RootCredentialsManagement', 'RootSessions']);
    expect(on.OrganizationId).toMatch(/^o-/);
    const off = await (await as('central-root-off')).iam.send(new ListOrganizationsFeaturesCommand({}));
    expect(off.EnabledFeatures ?? []).toEqual([]);
  });

  async function allDetails(c: Awaited<ReturnType<typeof as>>, MaxItems?: number) {
    const d = {
      users: [] as UserDetail[],
      roles: [] as RoleDetail[],
      groups: [] as GroupDetail[],
      policies: [] as ManagedPolicyDetail[],
      pages: 0,
    };
    let Marker: string | undefined;
    do {
      const out = await c.iam.send(new GetAccountAuthorizationDetailsCommand({ Marker, MaxItems }));
      d.users.push(...(out.UserDetailList ?? []));
      d.roles.push(...(out.RoleDetailList ?? []));
      d.groups.push(...(out.GroupDetailList ?? []));
      d.policies.push(...(out.Policies ?? []));
      d.pages++;
      Marker = out.IsTruncated ? out.Marker : undefined;
      if (out.IsTruncated) expect(out.Marker).toBeTruthy();
    } while (Marker);
    return d;
  }

  it('GetAccountAuthorizationDetails: boundaries, groups, attached and inline policies, all versions', async () => {
    const e = entryFor('compliant');
    const d = await allDetails(await as('compliant'));
    const bArn = boundaryArnFor(sim.estate.settings, e.payerAccountId);
    const admin = d.users.find((u) => u.UserName === 'partner-admin')!;
    expect(admin.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: bArn,
    });
    expect(admin.AttachedManagedPolicies).toContainEqual({
      PolicyName: 'AdministratorAccess',
      PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    });
    expect(admin.GroupList).toContain('PartnerAdmins');
    expect(admin.CreateDate).toBeInstanceOf(Date);
    const collector = d.roles.find((r) => r.RoleName === 'PayerGuardCollector')!;
    expect(decode(collector.AssumeRolePolicyDocument).Statement[0]).toMatchObject({
      Condition: { StringEquals: { 'sts:ExternalId': e.externalId } },
    });
    expect(collector.RolePolicyList![0]!.PolicyDocument).toMatch(/^%7B/);
    const adminPolicy = d.policies.find((p) => p.Arn === 'arn:aws:iam::aws:policy/AdministratorAccess')!;
    expect(decode(adminPolicy.PolicyVersionList![0]!.Document)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });
    const boundary = d.policies.find((p) => p.Arn === bArn)!;
    expect(boundary.PermissionsBoundaryUsageCount).toBeGreaterThan(1);
    expect(decode(boundary.PolicyVersionList![0]!.Document).Statement.map((s) => s.Sid)).toEqual([
      'AllowAll',
      'DenyBoundaryTampering',
      'DenyUnboundedPrincipals',
      'DenyPassUnboundedRole',
      'DenyDistributorData',
      'DenyBillingViews',
      'DenyGovernanceTampering',
    ]);
    const s3 = d.policies.find((p) => p.PolicyName === 'PartnerS3Access')!;
    expect(s3.PolicyVersionList!.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v1', false],
      ['v2', true],
    ]);
    expect(s3.DefaultVersionId).toBe('v2');
  });

  it('boundary hole profiles lose their statements; drift has a new default version', async () => {
    const sids = async (p: ProfileId) => {
      const d = await allDetails(await as(p));
      const b = d.policies.find((x) => x.PolicyName === 'DistributorPartnerBoundary')!;
      return {
        def: b.DefaultVersionId,
        versions: b.PolicyVersionList!.length,
        sids: decode(b.PolicyVersionList!.find((v) => v.IsDefaultVersion)!.Document).Statement.map((s) => s.Sid),
      };
    };
    expect((await sids('boundary-no-self-protection')).sids).not.toContain('DenyBoundaryTampering');
    const unbounded = (await sids('boundary-unbounded-create')).sids;
    expect(unbounded).not.toContain('DenyUnboundedPrincipals');
    expect(unbounded).not.toContain('DenyPassUnboundedRole');
    expect((await sids('boundary-data-open')).sids).not.toContain('DenyDistributorData');
    expect((await sids('boundary-billing-open')).sids).not.toContain('DenyBillingViews');
    expect((await sids('boundary-governance-open')).sids).not.toContain('DenyGovernanceTampering');
    const drift = await sids('boundary-drift');
    expect(drift.def).toBe('v2');
    expect(drift.versions).toBe(2);
    expect(drift.sids).toContain('DenyGovernanceTampering');
    expect(drift.sids.length).toBe(8);
  });

  it('admin-no-boundary has an administrator without a boundary', async () => {
    const d = await allDetails(await as('admin-no-boundary'));
    const admin = d.users.find((u) => u.UserName === 'partner-admin')!;
    expect(admin.PermissionsBoundary).toBeUndefined();
    expect(admin.AttachedManagedPolicies!.map((p) => p.PolicyName)).toContain('AdministratorAccess');
  });

  it('a large payer pages through Marker/IsTruncated with MaxItems default 100', async () => {
    const c = await as('large-payer');
    const first = await c.iam.send(new GetAccountAuthorizationDetailsCommand({}));
    expect(first.IsTruncated).toBe(true);
    expect(
      (first.UserDetailList?.length ?? 0) +
        (first.RoleDetailList?.length ?? 0) +
        (first.GroupDetailList?.length ?? 0) +
        (first.Policies?.length ?? 0),
    ).toBe(100);
    const d = await allDetails(c);
    expect(d.users.length + d.roles.length).toBeGreaterThanOrEqual(250);
    expect(d.pages).toBeGreaterThan(2);
    expect(new Set(d.users.map((u) => u.UserName)).size).toBe(d.users.length);
    const bad = await failure(c.iam.send(new GetAccountAuthorizationDetailsCommand({ Marker: 'garbage' })));
    expect(bad.name).toBe('InvalidInputException');
  });

  it('GetRole finds the billing role, NoSuchEntity when billing-role-missing', async () => {
    const ok = await (await as('compliant')).iam.send(new GetRoleCommand({ RoleName: 'DistributorBillingAdmin' }));
    expect(decode(ok.Role?.AssumeRolePolicyDocument).Statement).toHaveLength(1);
    const err = await failure(
      (await as('billing-role-missing')).iam.send(new GetRoleCommand({ RoleName: 'DistributorBillingAdmin' })),
    );
    expect(err.name).toBe('NoSuchEntityException');
    expect(err.$metadata?.httpStatusCode).toBe(404);
  });
});

describe('CloudTrail', () => {
  const rootEvents = async (c: Awaited<ReturnType<typeof as>>, MaxResults = 50) => {
    const out: Event[] = [];
    let NextToken: string | undefined;
    do {
      const r = await c.cloudtrail.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'root' }],
          StartTime: new Date(Date.now() - 90 * 86_400_000),
          EndTime: new Date(),
          MaxResults,
          NextToken,
        }),
      );
      out.push(...(r.Events ?? []));
      NextToken = r.NextToken;
    } while (NextToken);
    return out;
  };

  it('root console sign-ins carry MFAUsed and ConsoleLogin', async () => {
    const withMfa = await rootEvents(await as('root-signin-mfa'));
    expect(withMfa.length).toBeGreaterThanOrEqual(2);
    for (const e of withMfa) {
      const rec = JSON.parse(e.CloudTrailEvent!);
      expect(rec.userIdentity.type).toBe('Root');
      expect(rec.eventType).toBe('AwsConsoleSignIn');
      expect(rec.additionalEventData.MFAUsed).toBe('Yes');
      expect(rec.responseElements.ConsoleLogin).toBe('Success');
      expect(rec.eventID).toBe(e.EventId);
      expect(e.EventTime).toBeInstanceOf(Date);
      expect(Date.now() - e.EventTime!.getTime()).toBeLessThan(90 * 86_400_000);
    }
    const noMfa = await rootEvents(await as('root-signin-no-mfa'));
    expect(noMfa.some((e) => JSON.parse(e.CloudTrailEvent!).additionalEventData.MFAUsed === 'No')).toBe(true);
    expect(await rootEvents(await as('compliant'))).toEqual([]);
  });

  it('root API calls are AwsApiCall with mfaAuthenticated, source IP and user agent', async () => {
    const events = await rootEvents(await as('root-api-non-root-task'));
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (const e of events) {
      const rec = JSON.parse(e.CloudTrailEvent!);
      expect(rec.eventType).toBe('AwsApiCall');
      expect(['true', 'false']).toContain(rec.userIdentity.sessionContext.attributes.mfaAuthenticated);
      expect(rec.sourceIPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(rec.userAgent).toBeTruthy();
    }
  });

  it('LookupEvents paginates and filters by EventName and time', async () => {
    const c = await as('large-payer');
    const all = await c.cloudtrail.send(new LookupEventsCommand({ MaxResults: 50 }));
    expect(all.Events).toHaveLength(50);
    expect(all.NextToken).toBeTruthy();
    const next = await c.cloudtrail.send(new LookupEventsCommand({ MaxResults: 50, NextToken: all.NextToken }));
    expect(next.Events![0]!.EventId).not.toBe(all.Events![0]!.EventId);
    const logins = await c.cloudtrail.send(
      new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ConsoleLogin' }] }),
    );
    expect(logins.Events!.every((e) => e.EventName === 'ConsoleLogin')).toBe(true);
    const none = await c.cloudtrail.send(
      new LookupEventsCommand({
        StartTime: new Date(Date.now() + 86_400_000),
        EndTime: new Date(Date.now() + 2 * 86_400_000),
      }),
    );
    expect(none.Events).toEqual([]);
    expect((await failure(c.cloudtrail.send(new LookupEventsCommand({ MaxResults: 51 })))).name).toBe(
      'InvalidMaxResultsException',
    );
  });

  it('DescribeTrails and GetTrailStatus, stopped for trail-stopped', async () => {
    const status = async (p: ProfileId) => {
      const c = await as(p);
      const trails = await c.cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
      const t = trails.trailList!.find((x) => x.Name === 'distributor-org-trail')!;
      expect(t.IsOrganizationTrail).toBe(true);
      return c.cloudtrail.send(new GetTrailStatusCommand({ Name: t.TrailARN }));
    };
    expect((await status('compliant')).IsLogging).toBe(true);
    const stopped = await status('trail-stopped');
    expect(stopped.IsLogging).toBe(false);
    expect(stopped.StopLoggingTime).toBeInstanceOf(Date);
  });
});

describe('EventBridge and Cost Explorer', () => {
  it('ListRules with NamePrefix and paging, DescribeRule, missing monitor rule', async () => {
    const c = await as('compliant');
    const mon = await c.events.send(new ListRulesCommand({ NamePrefix: 'DistributorRootActivityMonitor' }));
    expect(mon.Rules).toHaveLength(1);
    expect(JSON.parse(mon.Rules![0]!.EventPattern!).detail.userIdentity.type).toEqual(['Root']);
    const d = await c.events.send(new DescribeRuleCommand({ Name: 'DistributorRootActivityMonitor' }));
    expect(d.State).toBe('ENABLED');
    const missing = await as('monitor-rule-missing');
    expect((await missing.events.send(new ListRulesCommand({ NamePrefix: 'Distributor' }))).Rules).toEqual([]);
    expect(
      (await failure(missing.events.send(new DescribeRuleCommand({ Name: 'DistributorRootActivityMonitor' })))).name,
    ).toBe('ResourceNotFoundException');
    const big = await as('large-payer');
    let NextToken: string | undefined;
    let n = 0;
    let pages = 0;
    do {
      const out = await big.events.send(new ListRulesCommand({ Limit: 50, NextToken }));
      n += out.Rules!.length;
      NextToken = out.NextToken;
      pages++;
    } while (NextToken);
    expect(n).toBeGreaterThan(100);
    expect(pages).toBe(Math.ceil(n / 50));
  });

  it('GetCostAndUsage: monthly unblended cost, current month estimated', async () => {
    const c = await as('compliant');
    const now = new Date();
    const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 6, 1)).toISOString().slice(0, 10);
    const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
    const out = await c.ce.send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: start, End: end },
        Granularity: 'MONTHLY',
        Metrics: ['UnblendedCost'],
      }),
    );
    expect(out.ResultsByTime).toHaveLength(7);
    for (const r of out.ResultsByTime!) {
      expect(Number(r.Total!.UnblendedCost!.Amount)).toBeGreaterThan(0);
      expect(r.Total!.UnblendedCost!.Unit).toBe('USD');
    }
    expect(out.ResultsByTime!.map((r) => r.Estimated)).toEqual([false, false, false, false, false, false, true]);
    expect(
      (
        await failure(
          c.ce.send(
            new GetCostAndUsageCommand({
              TimePeriod: { Start: end, End: start },
              Granularity: 'MONTHLY',
              Metrics: ['UnblendedCost'],
            }),
          ),
        )
      ).name,
    ).toBe('ValidationException');
  });
});

describe('access', () => {
  it('api-denied: the collector is refused one API with AccessDenied, the rest work', async () => {
    const e = entryFor('api-denied');
    const denied = sim.estate.account(e.payerAccountId)!.collectorDeniedApis;
    expect(denied).toHaveLength(1);
    const c = clients(sim.url, await assume(sim.url, e));
    const calls: Record<string, () => Promise<unknown>> = {
      'cloudtrail:LookupEvents': () => c.cloudtrail.send(new LookupEventsCommand({})),
      'ce:GetCostAndUsage': () =>
        c.ce.send(
          new GetCostAndUsageCommand({
            TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
            Granularity: 'MONTHLY',
            Metrics: ['UnblendedCost'],
          }),
        ),
      'iam:GetAccountAuthorizationDetails': () => c.iam.send(new GetAccountAuthorizationDetailsCommand({})),
      'events:ListRules': () => c.events.send(new ListRulesCommand({})),
      'account:GetAlternateContact': () =>
        c.account.send(new GetAlternateContactCommand({ AlternateContactType: 'BILLING' })),
    };
    const err = await failure(calls[denied[0]!]!());
    expect(err.name).toMatch(/^AccessDenied/);
    expect(err.message).toContain(`is not authorized to perform: ${denied[0]}`);
    await expect(c.iam.send(new GetAccountSummaryCommand({}))).resolves.toBeTruthy();
  });

  it('the hub itself may only assume roles', async () => {
    const err = await failure(clients(sim.url, HUB_CREDS).iam.send(new GetAccountSummaryCommand({})));
    expect(err.name).toBe('AccessDenied');
  });

  it('answers requests without a signature as AWS does', async () => {
    const r = await fetch(sim.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity',
    });
    expect(r.status).toBe(403);
    expect(r.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(await r.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });
});

export type { Creds };
