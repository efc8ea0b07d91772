import type { EvaluationContext } from '../controls/types.js';
import {
  API,
  type ApprovedRootWindow,
  type Call,
  type CallFailed,
  type CallStatus,
  type CredentialReportRow,
  type IamRole,
  type PayerEvidence,
  type PolicyDocument,
  type RootEvent,
} from '../evidence/types.js';
import { referenceBoundary } from '../policy/reference-boundary.js';
import { boundaryArnFor, type DistributorSettings, defaultSettings, hubEventBusArnFor } from '../settings.js';

/**
 * Evidence fixtures for tests (ours and other workspaces'): one fully compliant payer under defaultSettings(), and
 * small "break one thing" helpers. Every helper returns a new object; fixtures are never shared between tests.
 */

export const FIXTURE_NOW = new Date('2026-11-15T12:00:00.000Z');
export const FIXTURE_PAYER = '222222222222';
export const FIXTURE_PARTNER = 'acme';
/** The regions the fixture payer has enabled (and the collector read). */
export const FIXTURE_REGIONS = ['us-east-1', 'eu-west-1', 'eu-central-1'];

/** The context controls are evaluated in for fixture evidence: default settings, at FIXTURE_NOW. */
export function fixtureContext(over: Partial<EvaluationContext> = {}): EvaluationContext {
  return { settings: defaultSettings(), now: FIXTURE_NOW, ...over };
}

export interface FixtureOptions {
  payerAccountId?: string;
  partnerId?: string;
  /** Collection time; event and spend dates are laid out relative to it. */
  collectedAt?: Date;
  settings?: DistributorSettings;
  /** Last full month's spend (USD). */
  monthlySpend?: number;
}

const ok = <T>(api: string, data: T): Call<T> => ({ status: 'ok', api, data, requestIds: [`req-${api}`] });

export function failedCall(
  api: string,
  status: Exclude<CallStatus, 'ok'> = 'denied',
  errorCode = status === 'denied' ? 'AccessDenied' : status === 'throttled' ? 'ThrottlingException' : 'InternalError',
): CallFailed {
  return { status, api, errorCode, message: `${errorCode}: simulated ${status} for ${api}` };
}

const daysBefore = (d: Date, days: number) => new Date(d.getTime() - days * 86_400_000).toISOString();
const monthStart = (d: Date, back: number) =>
  new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1)).toISOString().slice(0, 10);

/** The boundary deployed in a compliant payer: the distributor's reference boundary (core/policy). */
export const distributorBoundaryDocument = (settings: DistributorSettings, accountId: string): PolicyDocument =>
  referenceBoundary(settings, accountId);

function credentialReport(accountId: string): CredentialReportRow[] {
  const na = 'N/A';
  return [
    {
      user: '<root_account>',
      arn: `arn:aws:iam::${accountId}:root`,
      user_creation_time: '2020-01-01T00:00:00+00:00',
      password_enabled: 'not_supported',
      password_last_used: '2026-10-20T09:00:00+00:00',
      password_last_changed: 'not_supported',
      password_next_rotation: 'not_supported',
      mfa_active: 'true',
      access_key_1_active: 'false',
      access_key_1_last_rotated: na,
      access_key_1_last_used_date: na,
      access_key_1_last_used_region: na,
      access_key_1_last_used_service: na,
      access_key_2_active: 'false',
      access_key_2_last_rotated: na,
      access_key_2_last_used_date: na,
      access_key_2_last_used_region: na,
      access_key_2_last_used_service: na,
      cert_1_active: 'false',
      cert_1_last_rotated: na,
      cert_2_active: 'false',
      cert_2_last_rotated: na,
    },
  ];
}

const trustHub = (hub: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${hub}:root` }, Action: 'sts:AssumeRole' }],
});

/** A payer held exactly as the program requires under `settings` (defaultSettings() unless given). */
export function compliantEvidence(opts: FixtureOptions = {}): PayerEvidence {
  const s = opts.settings ?? defaultSettings();
  const acct = opts.payerAccountId ?? FIXTURE_PAYER;
  const partnerId = opts.partnerId ?? FIXTURE_PARTNER;
  const now = opts.collectedAt ?? FIXTURE_NOW;
  const domain = s.domains[0] ?? 'distributor.example';
  const boundaryArn = boundaryArnFor(s, acct);
  const boundaryDoc = distributorBoundaryDocument(s, acct);
  const collectorArn = `arn:aws:iam::${acct}:role/${s.collectorRoleName}`;
  const billingArn = `arn:aws:iam::${acct}:role/${s.billingRoleName}`;
  const role = (name: string, extra: Partial<IamRole> = {}): IamRole => ({
    arn: `arn:aws:iam::${acct}:role/${name}`,
    name,
    roleId: `AROA${name.toUpperCase().slice(0, 12)}`,
    path: '/',
    createDate: '2024-01-01T00:00:00Z',
    assumeRolePolicy: trustHub(s.hubAccountId),
    inlinePolicies: [],
    attachedPolicies: [],
    tags: {},
    ...extra,
  });
  const rootEvents: RootEvent[] = [
    {
      eventId: `evt-${acct}-signin`,
      eventTime: daysBefore(now, 10),
      eventName: 'ConsoleLogin',
      eventSource: 'signin.amazonaws.com',
      eventType: 'AwsConsoleSignIn',
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.10',
      mfaUsed: true,
      outcome: 'Success',
      accountId: acct,
    },
    {
      eventId: `evt-${acct}-billing-access`,
      eventTime: daysBefore(now, 10),
      eventName: 'SetIAMAccessPreference',
      eventSource: 'billingconsole.amazonaws.com',
      eventType: 'AwsApiCall',
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.10',
      mfaUsed: true,
      accountId: acct,
    },
  ];
  // The one root session above happened inside a window the partner asked for and the distributor approved.
  const windowStart = new Date(now.getTime() - 10 * 86_400_000 - 3_600_000);
  const rootAccessWindows: ApprovedRootWindow[] = [
    {
      id: `rw-${acct}-billing`,
      reason: 'CHG-1001: set IAM access to billing',
      startsAt: windowStart.toISOString(),
      endsAt: new Date(windowStart.getTime() + 4 * 3_600_000).toISOString(),
      requestedBy: `viewer+${partnerId}@partner.example`,
      requestedBySide: 'partner',
      requestedAt: new Date(windowStart.getTime() - 86_400_000).toISOString(),
      approvedBy: `admin@${domain}`,
      approvedAt: new Date(windowStart.getTime() - 3_600_000).toISOString(),
    },
  ];
  const spend = opts.monthlySpend ?? 12_500;
  return {
    schemaVersion: 1,
    payerAccountId: acct,
    partnerId,
    collectedAt: now.toISOString(),
    access: ok(API.assumeRole, {
      roleArn: collectorArn,
      assumedRoleArn: `arn:aws:sts::${acct}:assumed-role/${s.collectorRoleName}/payerguard`,
      accountId: acct,
    }),
    billingRole: ok(API.getRole, {
      roleArn: billingArn,
      exists: true,
      trustsDistributor: true,
      trustPolicy: trustHub(s.hubAccountId),
    }),
    organizations: {
      organization: ok(API.describeOrganization, {
        id: 'o-acme12345',
        arn: `arn:aws:organizations::${acct}:organization/o-acme12345`,
        featureSet: 'ALL',
        masterAccountId: acct,
        masterAccountArn: `arn:aws:organizations::${acct}:account/o-acme12345/${acct}`,
        masterAccountEmail: `aws+${partnerId}@${domain}`,
      }),
      accounts: ok(API.listAccounts, [
        {
          id: acct,
          arn: `arn:aws:organizations::${acct}:account/o-acme12345/${acct}`,
          name: `${partnerId} payer`,
          email: `aws+${partnerId}@${domain}`,
          status: 'ACTIVE',
          joinedMethod: 'CREATED',
          joinedTimestamp: '2024-01-01T00:00:00Z',
        },
        {
          id: '333333333333',
          arn: `arn:aws:organizations::${acct}:account/o-acme12345/333333333333`,
          name: `${partnerId} workloads`,
          email: `aws+${partnerId}-workloads@${domain}`,
          status: 'ACTIVE',
          joinedMethod: 'CREATED',
          joinedTimestamp: '2024-02-01T00:00:00Z',
        },
      ]),
    },
    account: {
      contactInformation: ok(API.getContactInformation, {
        fullName: 'Distribution Operations',
        companyName: s.distributorName,
        countryCode: 'GB',
      }),
      alternateContacts: {
        BILLING: ok(API.getAlternateContact, {
          type: 'BILLING',
          name: 'Distributor Billing',
          emailAddress: `billing@${domain}`,
        }),
        SECURITY: ok(API.getAlternateContact, {
          type: 'SECURITY',
          name: 'Distributor Security',
          emailAddress: `security@${domain}`,
        }),
        OPERATIONS: ok(API.getAlternateContact, null),
      },
    },
    iam: {
      accountSummary: ok(API.getAccountSummary, {
        AccountMFAEnabled: 1,
        AccountAccessKeysPresent: 0,
        AccountSigningCertificatesPresent: 0,
        Users: 1,
        Roles: 4,
        Policies: 1,
      }),
      virtualMfaDevices: ok(API.listVirtualMFADevices, [
        {
          serialNumber: `arn:aws:iam::${acct}:mfa/partner-admin`,
          userArn: `arn:aws:iam::${acct}:user/partner-admin`,
          enableDate: '2024-01-02T00:00:00Z',
        },
      ]),
      credentialReport: ok(API.getCredentialReport, credentialReport(acct)),
      organizationsFeatures: ok(API.listOrganizationsFeatures, {
        organizationId: 'o-acme12345',
        enabledFeatures: ['RootCredentialsManagement', 'RootSessions'],
      }),
      authorizationDetails: ok(API.getAccountAuthorizationDetails, {
        pages: 1,
        users: [
          {
            arn: `arn:aws:iam::${acct}:user/partner-admin`,
            name: 'partner-admin',
            userId: 'AIDAPARTNERADMIN',
            path: '/',
            createDate: '2024-01-02T00:00:00Z',
            groups: [],
            inlinePolicies: [],
            attachedPolicies: [{ arn: 'arn:aws:iam::aws:policy/AdministratorAccess', name: 'AdministratorAccess' }],
            permissionsBoundaryArn: boundaryArn,
            tags: {},
          },
        ],
        groups: [],
        roles: [
          role(s.collectorRoleName, {
            attachedPolicies: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', name: 'ReadOnlyAccess' }],
            tags: { 'managed-by': 'distributor' },
          }),
          role(s.billingRoleName, {
            attachedPolicies: [{ arn: 'arn:aws:iam::aws:policy/job-function/Billing', name: 'Billing' }],
            tags: { 'managed-by': 'distributor' },
          }),
          role('PartnerAdmin', {
            assumeRolePolicy: trustHub(acct),
            attachedPolicies: [{ arn: 'arn:aws:iam::aws:policy/AdministratorAccess', name: 'AdministratorAccess' }],
            permissionsBoundaryArn: boundaryArn,
          }),
        ],
        policies: [
          {
            arn: boundaryArn,
            name: s.boundary.policyName,
            path: s.boundary.policyPath,
            defaultVersionId: 'v1',
            attachmentCount: 0,
            permissionsBoundaryUsageCount: 2,
            isAttachable: true,
            versions: [
              { versionId: 'v1', isDefaultVersion: true, createDate: '2024-01-01T00:00:00Z', document: boundaryDoc },
            ],
          },
        ],
      }),
    },
    cloudtrail: {
      lookbackDays: s.rootLookbackDays,
      rootEvents: ok(API.lookupEvents, rootEvents),
      trails: ok(API.describeTrails, [
        {
          name: s.protectedResources.trailName,
          arn: `arn:aws:cloudtrail:us-east-1:${acct}:trail/${s.protectedResources.trailName}`,
          homeRegion: 'us-east-1',
          isMultiRegionTrail: true,
          isOrganizationTrail: true,
          s3BucketName: 'distributor-org-trail-logs',
          isLogging: true,
          latestDeliveryTime: daysBefore(now, 0.01),
        },
      ]),
    },
    regions: {
      enabled: ok(API.listRegions, FIXTURE_REGIONS),
      read: FIXTURE_REGIONS,
    },
    eventbridge: (() => {
      const regional = (region: string) => ({
        rules: ok(API.listRules, [
          {
            name: s.protectedResources.monitorRuleName,
            arn: `arn:aws:events:${region}:${acct}:rule/${s.protectedResources.monitorRuleName}`,
            state: 'ENABLED',
            eventPattern: JSON.stringify({ detail: { userIdentity: { type: ['Root'] } } }),
            eventBusName: 'default',
          },
        ]),
        monitorRuleTargets: ok(API.listTargetsByRule, [
          { id: 'DistributorHub', arn: hubEventBusArnFor(s, 'us-east-1') },
        ]),
      });
      const byRegion = Object.fromEntries(FIXTURE_REGIONS.map((r) => [r, regional(r)]));
      return { rules: structuredClone(byRegion['us-east-1']!.rules), byRegion };
    })(),
    rootAccessWindows: ok(API.rootAccessWindows, rootAccessWindows),
    costExplorer: {
      monthlySpend: ok(API.getCostAndUsage, [
        { start: monthStart(now, 3), end: monthStart(now, 2), amount: spend * 0.9, unit: 'USD', estimated: false },
        { start: monthStart(now, 2), end: monthStart(now, 1), amount: spend * 0.95, unit: 'USD', estimated: false },
        { start: monthStart(now, 1), end: monthStart(now, 0), amount: spend, unit: 'USD', estimated: false },
        { start: monthStart(now, 0), end: monthStart(now, -1), amount: spend * 0.4, unit: 'USD', estimated: true },
      ]),
    },
  };
}

/** Deep copy, then let the test change one thing. */
export function withEvidence(ev: PayerEvidence, change: (e: PayerEvidence) => void): PayerEvidence {
  const copy = structuredClone(ev);
  change(copy);
  return copy;
}

export function rootEvent(
  accountId: string,
  e: Partial<RootEvent> & Pick<RootEvent, 'eventId' | 'eventName'>,
): RootEvent {
  return {
    eventTime: daysBefore(FIXTURE_NOW, 5),
    eventSource: 'iam.amazonaws.com',
    eventType: 'AwsApiCall',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.7',
    mfaUsed: true,
    accountId,
    ...e,
  };
}

const req = <T>(c: Call<T> | undefined, what: string): T => {
  if (c?.status !== 'ok') throw new Error(`fixture: ${what} is not a successful call`);
  return c.data;
};

/** One-gap variants of a payer, each the way the sim and real estates show it. */
export const breaks = {
  lockout: (ev: PayerEvidence, errorCode = 'AccessDenied'): PayerEvidence => ({
    schemaVersion: 1,
    payerAccountId: ev.payerAccountId,
    partnerId: ev.partnerId,
    collectedAt: ev.collectedAt,
    access: {
      status: 'denied',
      api: API.assumeRole,
      errorCode,
      message: `User: arn:aws:sts::111111111111:assumed-role/payerguard-hub/collector is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ev.payerAccountId}:role/PayerGuardCollector`,
    },
  }),
  rootEmail: (ev: PayerEvidence, email = 'it@partner.example') =>
    withEvidence(ev, (e) => {
      req(e.organizations?.organization, 'organization').masterAccountEmail = email;
      const me = req(e.organizations?.accounts, 'accounts').find((a) => a.id === e.payerAccountId);
      if (me) me.email = email;
    }),
  notManagement: (ev: PayerEvidence, managementId = '444444444444') =>
    withEvidence(ev, (e) => {
      const org = req(e.organizations?.organization, 'organization');
      org.masterAccountId = managementId;
      org.masterAccountEmail = 'root@partner.example';
    }),
  billingContact: (ev: PayerEvidence, contact: { name: string; emailAddress: string } | null = null) =>
    withEvidence(ev, (e) => {
      if (!e.account) throw new Error('fixture: no account evidence');
      e.account.alternateContacts.BILLING = {
        status: 'ok',
        api: API.getAlternateContact,
        data: contact ? { type: 'BILLING', ...contact } : null,
      };
    }),
  memberDomain: (ev: PayerEvidence, email = 'aws@customer.example') =>
    withEvidence(ev, (e) => {
      req(e.organizations?.accounts, 'accounts').push({
        id: '555555555555',
        arn: `arn:aws:organizations::${e.payerAccountId}:account/o-acme12345/555555555555`,
        name: 'end customer',
        email,
        status: 'ACTIVE',
        joinedMethod: 'INVITED',
        joinedTimestamp: '2025-01-01T00:00:00Z',
      });
    }),
  billingRole: (ev: PayerEvidence, how: 'missing' | 'untrusted' = 'missing') =>
    withEvidence(ev, (e) => {
      const r = req(e.billingRole, 'billing role');
      if (how === 'missing') {
        r.exists = false;
        r.trustsDistributor = false;
        delete r.trustPolicy;
      } else r.trustsDistributor = false;
    }),
  noRootMfa: (ev: PayerEvidence) =>
    withEvidence(ev, (e) => {
      req(e.iam?.accountSummary, 'summary').AccountMFAEnabled = 0;
      const root = req(e.iam?.credentialReport, 'report').find((r) => r.user === '<root_account>');
      if (root) root.mfa_active = 'false';
    }),
  rootVirtualMfa: (ev: PayerEvidence) =>
    withEvidence(ev, (e) => {
      req(e.iam?.virtualMfaDevices, 'mfa devices').push({
        serialNumber: `arn:aws:iam::${e.payerAccountId}:mfa/root-account-mfa-device`,
        userArn: `arn:aws:iam::${e.payerAccountId}:root`,
        enableDate: '2024-03-01T00:00:00Z',
      });
    }),
  rootAccessKey: (ev: PayerEvidence) =>
    withEvidence(ev, (e) => {
      req(e.iam?.accountSummary, 'summary').AccountAccessKeysPresent = 1;
      const root = req(e.iam?.credentialReport, 'report').find((r) => r.user === '<root_account>');
      if (root) {
        root.access_key_1_active = 'true';
        root.access_key_1_last_rotated = '2025-06-01T00:00:00+00:00';
      }
    }),
  rootSigningCert: (ev: PayerEvidence) =>
    withEvidence(ev, (e) => {
      req(e.iam?.accountSummary, 'summary').AccountSigningCertificatesPresent = 1;
      const root = req(e.iam?.credentialReport, 'report').find((r) => r.user === '<root_account>');
      if (root) root.cert_1_active = 'true';
    }),
  rootSigninWithoutMfa: (ev: PayerEvidence, eventId = 'evt-signin-nomfa') =>
    withEvidence(ev, (e) => {
      req(e.cloudtrail?.rootEvents, 'root events').push(
        rootEvent(e.payerAccountId, {
          eventId,
          eventName: 'ConsoleLogin',
          eventSource: 'signin.amazonaws.com',
          eventType: 'AwsConsoleSignIn',
          mfaUsed: false,
          outcome: 'Success',
        }),
      );
    }),
  rootEverydayTask: (ev: PayerEvidence, eventId = 'evt-root-runinstances', eventName = 'RunInstances') =>
    withEvidence(ev, (e) => {
      req(e.cloudtrail?.rootEvents, 'root events').push(
        rootEvent(e.payerAccountId, { eventId, eventName, eventSource: 'ec2.amazonaws.com', mfaUsed: false }),
      );
    }),
  /** The monitor rule broken in `regions` (default: every region read), as ListRules / ListTargetsByRule show it. */
  monitorRule: (
    ev: PayerEvidence,
    how: 'missing' | 'disabled' | 'no-target' | 'other-target' | 'empty-pattern' | 'sign-ins-only' = 'missing',
    regions?: string[],
  ) =>
    withEvidence(ev, (e) => {
      const byRegion = e.eventbridge?.byRegion ?? {};
      const lists = [
        ...(regions ? [] : [e.eventbridge?.rules]),
        ...Object.entries(byRegion)
          .filter(([r]) => !regions || regions.includes(r))
          .map(([, rr]) => rr.rules),
      ];
      for (const [r, rr] of Object.entries(byRegion)) {
        if (regions && !regions.includes(r)) continue;
        if (how === 'missing') delete rr.monitorRuleTargets;
        if (how === 'no-target') req(rr.monitorRuleTargets, 'targets').splice(0);
        if (how === 'other-target')
          req(rr.monitorRuleTargets, 'targets').splice(0, 1, {
            id: 'PartnerBus',
            arn: `arn:aws:events:${r}:${e.payerAccountId}:event-bus/default`,
          });
      }
      for (const call of lists) {
        const rules = req(call, 'rules');
        if (how === 'missing') rules.splice(0, rules.length);
        for (const rule of rules) {
          if (how === 'disabled') rule.state = 'DISABLED';
          if (how === 'empty-pattern') rule.eventPattern = '{}';
          if (how === 'sign-ins-only')
            rule.eventPattern = JSON.stringify({
              source: ['aws.signin'],
              detail: { userIdentity: { type: ['Root'] } },
            });
        }
      }
    }),
  centralizedRootOff: (ev: PayerEvidence) =>
    withEvidence(ev, (e) => {
      req(e.iam?.organizationsFeatures, 'features').enabledFeatures = [];
    }),
  trail: (ev: PayerEvidence, how: 'stopped' | 'missing' | 'single-region' = 'stopped') =>
    withEvidence(ev, (e) => {
      const trails = req(e.cloudtrail?.trails, 'trails');
      if (how === 'missing') trails.splice(0, trails.length);
      else
        for (const t of trails) {
          if (how === 'stopped') t.isLogging = false;
          else t.isMultiRegionTrail = false;
        }
    }),
  /** The partner admin user loses its permissions boundary (coverage gap). */
  adminWithoutBoundary: (ev: PayerEvidence) =>
    withEvidence(ev, (e) => {
      for (const u of req(e.iam?.authorizationDetails, 'authorization details').users)
        if (u.name === 'partner-admin') delete u.permissionsBoundaryArn;
    }),
  /** The deployed boundary loses the reference statements with these Sids (an effectiveness hole), as the sim does. */
  boundaryHole: (ev: PayerEvidence, sids: string[]) =>
    withEvidence(ev, (e) => {
      for (const p of req(e.iam?.authorizationDetails, 'authorization details').policies)
        for (const v of p.versions) {
          const st = Array.isArray(v.document.Statement) ? v.document.Statement : [v.document.Statement];
          v.document.Statement = st.filter((x) => !sids.includes(String((x as { Sid?: string }).Sid)));
        }
    }),
  /** A new default version of the boundary that differs from the approved one (drift), as the sim does. */
  boundaryDrift: (ev: PayerEvidence) =>
    withEvidence(ev, (e) => {
      const policy = req(e.iam?.authorizationDetails, 'authorization details').policies[0];
      const current = policy?.versions.find((v) => v.isDefaultVersion);
      if (!policy || !current) throw new Error('fixture: no boundary policy');
      current.isDefaultVersion = false;
      const st = Array.isArray(current.document.Statement) ? current.document.Statement : [current.document.Statement];
      policy.versions.push({
        versionId: 'v2',
        isDefaultVersion: true,
        createDate: '2026-11-01T00:00:00Z',
        document: {
          ...current.document,
          Statement: [...st, { Sid: 'PartnerAddedReadAccess', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
        },
      });
      policy.defaultVersionId = 'v2';
    }),
  /** Make one evidence call fail (denied by default): the control reading it must say unknown. */
  /** The payer is in no organization: Organizations answers AWSOrganizationsNotInUseException (HTTP 400). */
  standalone: (ev: PayerEvidence) =>
    withEvidence(ev, (e) => {
      const notInUse = (api: string): CallFailed => ({
        status: 'error',
        api,
        errorCode: 'AWSOrganizationsNotInUseException',
        message: 'Your account is not a member of an organization.',
      });
      e.organizations = { organization: notInUse(API.describeOrganization), accounts: notInUse(API.listAccounts) };
      if (e.iam)
        e.iam.organizationsFeatures = ok(API.listOrganizationsFeatures, {
          enabledFeatures: [],
          answeredWith: 'OrganizationNotFoundException',
        });
    }),
  /** The payer is a member of someone else's organization: DescribeOrganization answers, ListAccounts is refused. */
  memberPayer: (ev: PayerEvidence, managementId = '444444444444') =>
    withEvidence(ev, (e) => {
      const org = req(e.organizations?.organization, 'organization');
      org.masterAccountId = managementId;
      org.masterAccountEmail = 'root@partner.example';
      if (e.organizations) e.organizations.accounts = failedCall(API.listAccounts, 'denied', 'AccessDeniedException');
      if (e.iam)
        e.iam.organizationsFeatures = ok(API.listOrganizationsFeatures, {
          enabledFeatures: [],
          answeredWith: 'AccountNotManagementOrDelegatedAdministratorException',
        });
    }),
  deny: (ev: PayerEvidence, path: string, status: Exclude<CallStatus, 'ok'> = 'denied') =>
    withEvidence(ev, (e) => {
      const parts = path.split('.');
      let obj: Record<string, unknown> = e as unknown as Record<string, unknown>;
      for (const p of parts.slice(0, -1)) {
        const next = obj[p];
        if (typeof next !== 'object' || next === null) throw new Error(`fixture: no evidence at ${path}`);
        obj = next as Record<string, unknown>;
      }
      const last = parts[parts.length - 1] as string;
      const current = obj[last] as Call<unknown> | undefined;
      if (!current) throw new Error(`fixture: no evidence at ${path}`);
      obj[last] = failedCall(current.api, status);
    }),
};
