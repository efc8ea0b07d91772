import { boundaryArnFor, type DistributorSettings, hubEventBusArnFor, type PolicyDocument } from '@payerguard/core';
import { DEFAULT_ENABLED_REGIONS, GLOBAL_EVENTS_REGION, OPT_IN_REGIONS } from '@payerguard/core/data/aws-regions';
import { BOUNDED_ROLE_PATH, referenceBoundary } from '@payerguard/core/policy/reference-boundary';
import { BOUNDARY_HOLES, type ProfileId } from '../profiles.js';
import { Rng } from '../rand.js';
import { ADMINISTRATOR_ACCESS, IAM_USER_CHANGE_PASSWORD, POWER_USER_ACCESS } from './aws-managed-policies.js';
import { type Actor, apiCall, consoleLogin, nonRootTask } from './events.js';
import type {
  EstatePayer,
  SimAccount,
  SimEvent,
  SimGroup,
  SimManagedPolicy,
  SimMemberAccount,
  SimMonthlySpend,
  SimRegion,
  SimRole,
  SimRule,
  SimTrail,
  SimUser,
} from './types.js';

const DAY = 86_400_000;

const FIRST = ['Ana', 'Ben', 'Chen', 'Dara', 'Eli', 'Fatima', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kai', 'Lena', 'Mo', 'Nia'];
const LAST = ['Silva', 'Okafor', 'Nguyen', 'Schmidt', 'Kowalski', 'Haddad', 'Tanaka', 'Moreau', 'Rossi', 'Larsen'];
const ENVS = ['Production', 'Staging', 'Development', 'Sandbox', 'Shared Services', 'Log Archive', 'Audit', 'Data'];
const CITIES: [string, string, string][] = [
  ['Dublin', 'IE', 'D02 X285'],
  ['Berlin', 'DE', '10115'],
  ['Austin', 'US', '78701'],
  ['Sydney', 'AU', '2000'],
  ['Toronto', 'CA', 'M5H 2N2'],
  ['Lyon', 'FR', '69002'],
];
/** Collector needs; an api-denied payer's collector role has one of these explicitly denied. */
export const DENIABLE_APIS = [
  'cloudtrail:LookupEvents',
  'ce:GetCostAndUsage',
  'iam:GetAccountAuthorizationDetails',
  'events:ListRules',
  'account:GetAlternateContact',
];

const COLLECTOR_READ_ACTIONS = [
  'sts:GetCallerIdentity',
  'organizations:Describe*',
  'organizations:List*',
  'account:GetContactInformation',
  'account:GetAlternateContact',
  'iam:Get*',
  'iam:List*',
  'iam:GenerateCredentialReport',
  'cloudtrail:LookupEvents',
  'cloudtrail:DescribeTrails',
  'cloudtrail:GetTrailStatus',
  'events:ListRules',
  'events:DescribeRule',
  'events:ListTargetsByRule',
  'account:ListRegions',
  'ce:GetCostAndUsage',
];

/** Where profile root-activity-other-region's root API calls land: never us-east-1, never an opt-in region. */
export const OTHER_REGION_ROOT_ACTIVITY = ['eu-central-1', 'ap-southeast-2'] as const;

export interface AccountContext {
  seed: number;
  now: Date;
  settings: DistributorSettings;
  /** The ExternalId the payer's collector role really trusts (differs from the registry's for lockout-external-id). */
  roleExternalId: string;
  memberAccountId(j: number): string;
}

const has = (p: EstatePayer, id: ProfileId) => p.profiles.includes(id);

function boundaryPolicy(ctx: AccountContext, p: EstatePayer, rng: Rng): SimManagedPolicy {
  const { settings } = ctx;
  const reference = referenceBoundary(settings, p.accountId);
  const holes = new Set(p.profiles.flatMap((id) => BOUNDARY_HOLES[id] ?? []));
  const statements = (Array.isArray(reference.Statement) ? reference.Statement : [reference.Statement]) as {
    Sid?: string;
  }[];
  const deployed: PolicyDocument = {
    ...reference,
    Statement: statements.filter((s) => !(s.Sid && holes.has(s.Sid))),
  };
  const created = new Date(ctx.now.getTime() - rng.int(200, 700) * DAY);
  const versions = [{ versionId: 'v1', isDefault: true, createDate: created, document: deployed }];
  if (has(p, 'boundary-drift')) {
    versions[0]!.isDefault = false;
    // Harmless to what the boundary allows (AllowAll already covers it) but no longer the approved document.
    versions.push({
      versionId: 'v2',
      isDefault: true,
      createDate: new Date(ctx.now.getTime() - rng.int(3, 40) * DAY),
      document: {
        ...deployed,
        Statement: [
          ...statements,
          { Sid: 'PartnerAddedReadAccess', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
        ],
      },
    });
  }
  return {
    arn: boundaryArnFor(settings, p.accountId),
    name: settings.boundary.policyName,
    path: settings.boundary.policyPath,
    policyId: `ANPA${rng.id(17)}`,
    createDate: created,
    updateDate: versions[versions.length - 1]!.createDate,
    versions,
    awsManaged: false,
  };
}

export function buildAccount(ctx: AccountContext, p: EstatePayer): SimAccount {
  const rng = new Rng(ctx.seed, `account:${p.accountId}`);
  const { settings, now } = ctx;
  const acct = p.accountId;
  const ago = (days: number, jitterHours = 24) =>
    new Date(now.getTime() - days * DAY - rng.int(0, jitterHours * 3600) * 1000);
  const distributorDomain = settings.domains[0] ?? 'distributor.example';
  const large = has(p, 'large-payer');

  // ---------------------------------------------------------------- organization
  const orgId = `o-${rng.id(10, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
  const masterEmail = has(p, 'foreign-root-email')
    ? `aws-root@${p.partnerDomain}`
    : `aws-payer+${p.accountId}@${distributorDomain}`;
  const memberCount = large ? rng.int(320, 360) : rng.int(1, 14);
  const customerDomains = [p.partnerDomain, `customer-${rng.hex(4)}.example`, `customer-${rng.hex(4)}.example`];
  const members: SimMemberAccount[] = [
    {
      id: acct,
      name: `${p.partnerName} Payer`,
      email: masterEmail,
      status: 'ACTIVE',
      joinedMethod: 'CREATED',
      joinedTimestamp: ago(rng.int(400, 1500)),
    },
  ];
  // Half the payers hold only distributor-created accounts; the rest mix in end-customer-owned accounts.
  const endCustomerModel = rng.chance(0.5);
  for (let j = 0; j < memberCount; j++) {
    const domain = !endCustomerModel || rng.chance(0.3) ? distributorDomain : rng.pick(customerDomains);
    const env = ENVS[j % ENVS.length]!;
    members.push({
      id: ctx.memberAccountId(j),
      name: `${p.partnerName} ${env}${j >= ENVS.length ? ` ${Math.floor(j / ENVS.length) + 1}` : ''}`,
      email: `aws+${env.toLowerCase().replace(/\s+/g, '-')}-${j}@${domain}`,
      status: rng.chance(0.03) ? 'SUSPENDED' : 'ACTIVE',
      joinedMethod: rng.chance(0.7) ? 'CREATED' : 'INVITED',
      joinedTimestamp: ago(rng.int(10, 900)),
    });
  }

  // ---------------------------------------------------------------- contacts
  const [city, country, postal] = rng.pick(CITIES);
  const person = () => `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
  const phone = () => `+1-555-${String(rng.int(100, 999))}-${String(rng.int(1000, 9999))}`;
  const alternateContacts: SimAccount['alternateContacts'] = {
    BILLING: has(p, 'foreign-billing-contact')
      ? {
          AlternateContactType: 'BILLING',
          Name: person(),
          Title: 'Finance',
          EmailAddress: `accounts@${p.partnerDomain}`,
          PhoneNumber: phone(),
        }
      : {
          AlternateContactType: 'BILLING',
          Name: 'Distributor Billing Desk',
          Title: 'Billing',
          EmailAddress: `billing@${distributorDomain}`,
          PhoneNumber: '+1-555-010-0100',
        },
  };
  if (rng.chance(0.85))
    alternateContacts.SECURITY = {
      AlternateContactType: 'SECURITY',
      Name: person(),
      Title: 'Security Lead',
      EmailAddress: `security@${p.partnerDomain}`,
      PhoneNumber: phone(),
    };
  if (rng.chance(0.5))
    alternateContacts.OPERATIONS = {
      AlternateContactType: 'OPERATIONS',
      Name: person(),
      Title: 'Cloud Operations',
      EmailAddress: `ops@${p.partnerDomain}`,
      PhoneNumber: phone(),
    };

  // ---------------------------------------------------------------- IAM
  const boundary = boundaryPolicy(ctx, p, rng);
  const bArn = boundary.arn;
  const partnerBoundary = has(p, 'admin-no-boundary') ? undefined : bArn;
  const users: SimUser[] = [];
  const roles: SimRole[] = [];
  const distributorTags = settings.distributorPrincipals.tags.map((t) => ({ Key: t.key, Value: t.value }));
  const user = (u: Partial<SimUser> & { name: string }): SimUser => {
    const created = ago(rng.int(30, 900));
    const lastRotated = ago(rng.int(5, 400));
    return {
      path: '/',
      userId: `AIDA${rng.id(17)}`,
      createDate: created,
      groups: [],
      attached: [],
      inline: [],
      tags: [],
      passwordEnabled: true,
      passwordLastUsed: ago(rng.int(0, 60)),
      mfa: rng.chance(0.8) ? 'virtual' : 'none',
      accessKeys: rng.chance(0.4)
        ? [{ active: true, lastRotated, lastUsed: ago(rng.int(0, 20)), lastService: 'sts' }]
        : [],
      ...u,
    };
  };
  users.push(
    user({
      name: 'partner-admin',
      groups: ['PartnerAdmins'],
      attached: [ADMINISTRATOR_ACCESS],
      ...(partnerBoundary ? { boundaryArn: partnerBoundary } : {}),
      tags: [{ Key: 'team', Value: 'partner-platform' }],
      mfa: 'hardware',
    }),
  );
  const devCount = large ? 200 : rng.int(1, 5);
  for (let i = 0; i < devCount; i++)
    users.push(
      user({
        name: large
          ? `svc-user-${String(i + 1).padStart(3, '0')}`
          : `${rng.pick(FIRST).toLowerCase()}.${rng.pick(LAST).toLowerCase()}${i}`,
        groups: ['Developers'],
        attached: [IAM_USER_CHANGE_PASSWORD],
        boundaryArn: bArn,
        ...(rng.chance(0.3)
          ? {
              inline: [
                {
                  name: 'AllowOwnKeys',
                  document: {
                    Version: '2012-10-17',
                    Statement: [
                      {
                        Effect: 'Allow',
                        Action: ['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:ListAccessKeys'],
                        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
                        Resource: 'arn:aws:iam::*:user/${aws:username}',
                      },
                    ],
                  },
                },
              ],
            }
          : {}),
      }),
    );
  users.push(
    user({
      name: 'distributor-breakglass',
      path: settings.distributorPrincipals.paths[0] ?? '/distributor/',
      attached: [ADMINISTRATOR_ACCESS],
      tags: distributorTags,
      passwordLastUsed: ago(rng.int(60, 300)),
      mfa: 'hardware',
      accessKeys: [],
    }),
  );

  const hubRoot = `arn:aws:iam::${settings.hubAccountId}:root`;
  const deniedApi = has(p, 'api-denied') ? rng.pick(DENIABLE_APIS) : undefined;
  if (!has(p, 'lockout'))
    roles.push({
      name: settings.collectorRoleName,
      path: '/',
      roleId: `AROA${rng.id(17)}`,
      createDate: ago(rng.int(100, 600)),
      trust: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: hubRoot },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': ctx.roleExternalId } },
          },
        ],
      },
      attached: [],
      inline: [
        {
          name: 'PayerGuardCollectorReadOnly',
          document: {
            Version: '2012-10-17',
            Statement: [
              { Sid: 'ReadOnlyEvidence', Effect: 'Allow', Action: COLLECTOR_READ_ACTIONS, Resource: '*' },
              ...(deniedApi ? [{ Sid: 'PartnerAddedDeny', Effect: 'Deny', Action: [deniedApi], Resource: '*' }] : []),
            ],
          },
        },
      ],
      tags: distributorTags,
      lastUsed: ago(rng.int(0, 2)),
      maxSessionDuration: 3600,
    });
  if (!has(p, 'billing-role-missing'))
    roles.push({
      name: settings.billingRoleName,
      path: '/',
      roleId: `AROA${rng.id(17)}`,
      createDate: ago(rng.int(100, 600)),
      trust: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: hubRoot }, Action: 'sts:AssumeRole' }],
      },
      attached: [],
      inline: [
        {
          name: 'DistributorBillingAdmin',
          document: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['aws-portal:*', 'billing:*', 'ce:*', 'cur:*', 'invoicing:*', 'payments:*', 'tax:*'],
                Resource: '*',
              },
            ],
          },
        },
      ],
      tags: distributorTags,
      lastUsed: ago(rng.int(1, 30)),
      maxSessionDuration: 3600,
    });
  const accountRootTrust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'sts:AssumeRole' }],
  };
  roles.push({
    name: 'PartnerAdminRole',
    path: BOUNDED_ROLE_PATH,
    roleId: `AROA${rng.id(17)}`,
    createDate: ago(rng.int(50, 500)),
    trust: accountRootTrust,
    attached: [ADMINISTRATOR_ACCESS],
    inline: [],
    ...(partnerBoundary ? { boundaryArn: partnerBoundary } : {}),
    tags: [{ Key: 'team', Value: 'partner-platform' }],
    lastUsed: ago(rng.int(0, 10)),
    maxSessionDuration: 3600,
  });
  const roleCount = large ? 60 : rng.int(0, 3);
  for (let i = 0; i < roleCount; i++)
    roles.push({
      name: `partner-workload-${String(i + 1).padStart(2, '0')}`,
      path: BOUNDED_ROLE_PATH,
      roleId: `AROA${rng.id(17)}`,
      createDate: ago(rng.int(10, 500)),
      trust: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      attached: [POWER_USER_ACCESS],
      inline: [],
      boundaryArn: bArn,
      tags: [],
      ...(rng.chance(0.7) ? { lastUsed: ago(rng.int(0, 30)) } : {}),
      maxSessionDuration: 3600,
    });

  const groups: SimGroup[] = [
    {
      name: 'PartnerAdmins',
      path: '/',
      groupId: `AGPA${rng.id(17)}`,
      createDate: ago(rng.int(300, 900)),
      attached: [IAM_USER_CHANGE_PASSWORD],
      inline: [],
    },
    {
      name: 'Developers',
      path: '/',
      groupId: `AGPA${rng.id(17)}`,
      createDate: ago(rng.int(300, 900)),
      attached: [POWER_USER_ACCESS, `arn:aws:iam::${acct}:policy/PartnerS3Access`],
      inline: [
        {
          name: 'DenyLeavingRegions',
          document: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Deny',
                NotAction: ['iam:*', 'sts:*', 'support:*', 'cloudfront:*', 'route53:*'],
                Resource: '*',
                Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
              },
            ],
          },
        },
      ],
    },
  ];
  const s3Created = ago(rng.int(200, 600));
  const s3Updated = ago(rng.int(5, 150));
  const partnerS3: SimManagedPolicy = {
    arn: `arn:aws:iam::${acct}:policy/PartnerS3Access`,
    name: 'PartnerS3Access',
    path: '/',
    policyId: `ANPA${rng.id(17)}`,
    createDate: s3Created,
    updateDate: s3Updated,
    awsManaged: false,
    versions: [
      {
        versionId: 'v1',
        isDefault: false,
        createDate: s3Created,
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] },
      },
      {
        versionId: 'v2',
        isDefault: true,
        createDate: s3Updated,
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
              Resource: [`arn:aws:s3:::${p.partnerId}-*`, `arn:aws:s3:::${p.partnerId}-*/*`],
            },
          ],
        },
      },
    ],
  };

  // ---------------------------------------------------------------- root
  const rootMfa: SimAccount['root']['mfa'] = has(p, 'root-no-mfa')
    ? 'none'
    : has(p, 'root-virtual-mfa')
      ? 'virtual'
      : 'hardware';
  const root: SimAccount['root'] = {
    createDate: members[0]!.joinedTimestamp,
    mfa: rootMfa,
    ...(rootMfa !== 'none' ? { mfaEnableDate: ago(rng.int(100, 600)) } : {}),
    accessKey: has(p, 'root-access-key'),
    signingCert: has(p, 'root-signing-cert'),
  };

  // ---------------------------------------------------------------- CloudTrail
  const events: SimEvent[] = [];
  const rootActor: Actor = { kind: 'root', accountId: acct };
  if (has(p, 'root-signin-mfa'))
    for (let i = rng.int(2, 4); i > 0; i--)
      events.push(consoleLogin(rng, rootActor, ago(rng.int(1, 85)), { mfaUsed: true, success: true }));
  if (has(p, 'root-signin-no-mfa')) {
    for (let i = rng.int(1, 3); i > 0; i--)
      events.push(consoleLogin(rng, rootActor, ago(rng.int(1, 85)), { mfaUsed: false, success: true }));
    events.push(consoleLogin(rng, rootActor, ago(rng.int(1, 85)), { mfaUsed: false, success: false }));
  }
  if (has(p, 'root-api-non-root-task'))
    for (let i = rng.int(2, 5); i > 0; i--)
      events.push(apiCall(rng, rootActor, ago(rng.int(1, 85)), nonRootTask(rng, acct), { mfa: rng.chance(0.5) }));
  if (has(p, 'root-activity-other-region'))
    for (let i = rng.int(2, 4); i > 0; i--)
      events.push(
        apiCall(rng, rootActor, ago(rng.int(1, 85)), nonRootTask(rng, acct, OTHER_REGION_ROOT_ACTIVITY), {
          mfa: true,
        }),
      );
  const rootLogins = events.filter((e) => e.eventName === 'ConsoleLogin' && e.username === 'root');
  root.passwordLastUsed = rootLogins.length
    ? new Date(Math.max(...rootLogins.map((e) => e.eventTime.getTime())))
    : ago(rng.int(120, 400));
  // Everyday activity from other principals, so that filtering for root actually has to filter.
  const admin = users[0]!;
  const noise = large ? 400 : rng.int(6, 20);
  for (let i = 0; i < noise; i++) {
    const at = ago(rng.int(0, 89));
    if (rng.chance(0.3))
      events.push(
        consoleLogin(rng, { kind: 'user', accountId: acct, name: admin.name, principalId: admin.userId }, at, {
          mfaUsed: true,
          success: true,
        }),
      );
    else {
      const r = rng.pick(roles);
      const actor: Actor = {
        kind: 'role',
        accountId: acct,
        name: r.name,
        principalId: r.roleId,
        sessionName: r.name === settings.collectorRoleName ? 'payerguard-collector' : `session-${rng.hex(6)}`,
      };
      events.push(apiCall(rng, actor, at, rng.pick(READ_CALLS), { mfa: false }));
    }
  }
  events.sort((a, b) => b.eventTime.getTime() - a.eventTime.getTime());

  const trailRegion = 'us-east-1';
  const trails: SimTrail[] = [
    {
      name: settings.protectedResources.trailName,
      arn: `arn:aws:cloudtrail:${trailRegion}:${acct}:trail/${settings.protectedResources.trailName}`,
      s3BucketName: `distributor-cloudtrail-${acct}`,
      homeRegion: trailRegion,
      isMultiRegionTrail: true,
      isOrganizationTrail: true,
      isLogging: !has(p, 'trail-stopped'),
      startLoggingTime: ago(rng.int(200, 600)),
      ...(has(p, 'trail-stopped') ? { stopLoggingTime: ago(rng.int(2, 30)) } : {}),
      latestDeliveryTime: has(p, 'trail-stopped')
        ? ago(rng.int(31, 40))
        : new Date(now.getTime() - rng.int(60, 900) * 1000),
    },
  ];
  if (rng.chance(0.4))
    trails.push({
      name: 'management-events',
      arn: `arn:aws:cloudtrail:eu-west-1:${acct}:trail/management-events`,
      s3BucketName: `aws-cloudtrail-logs-${acct}-${rng.hex(8)}`,
      homeRegion: 'eu-west-1',
      isMultiRegionTrail: false,
      isOrganizationTrail: false,
      isLogging: true,
      startLoggingTime: ago(rng.int(100, 400)),
      latestDeliveryTime: new Date(now.getTime() - rng.int(60, 900) * 1000),
    });

  // ---------------------------------------------------------------- regions
  // Every payer has the default regions; some have also opted in to one more (the monitor stack follows them there).
  const optedIn = rng.chance(0.2) ? rng.pick(OPT_IN_REGIONS) : undefined;
  const regions: SimRegion[] = [
    ...DEFAULT_ENABLED_REGIONS.map((r): SimRegion => ({ RegionName: r, RegionOptStatus: 'ENABLED_BY_DEFAULT' })),
    ...OPT_IN_REGIONS.map(
      (r): SimRegion => ({ RegionName: r, RegionOptStatus: r === optedIn ? 'ENABLED' : 'DISABLED' }),
    ),
  ];
  const enabledRegions = regions.filter((r) => r.RegionOptStatus !== 'DISABLED').map((r) => r.RegionName);

  // ---------------------------------------------------------------- EventBridge
  const ruleArn = (region: string, name: string) => `arn:aws:events:${region}:${acct}:rule/${name}`;
  const rules: SimRule[] = [];
  // The governance StackSet deploys the monitor rule to every enabled region, forwarding to the hub's bus.
  if (!has(p, 'monitor-rule-missing'))
    for (const region of enabledRegions)
      rules.push({
        name: settings.protectedResources.monitorRuleName,
        region,
        arn: ruleArn(region, settings.protectedResources.monitorRuleName),
        state: 'ENABLED',
        eventPattern: JSON.stringify({
          'detail-type': ['AWS Console Sign In via CloudTrail', 'AWS API Call via CloudTrail'],
          detail: { userIdentity: { type: ['Root'] } },
        }),
        description: 'Forwards root activity to the distributor hub',
        createdBy: acct,
        targets: has(p, 'monitor-rule-no-target')
          ? []
          : [{ Id: 'DistributorHub', Arn: hubEventBusArnFor(settings, GLOBAL_EVENTS_REGION) }],
      });
  const partnerRules = large ? 140 : rng.int(1, 4);
  for (let i = 0; i < partnerRules; i++) {
    const name = `${rng.pick(['guardduty-findings', 'backup-nightly', 'asg-alerts', 'config-changes', 'cost-anomaly'])}-${i + 1}`;
    const scheduled = name.startsWith('backup');
    rules.push({
      name,
      region: GLOBAL_EVENTS_REGION,
      arn: ruleArn(GLOBAL_EVENTS_REGION, name),
      targets: [{ Id: 'Target0', Arn: `arn:aws:sns:${GLOBAL_EVENTS_REGION}:${acct}:${name}` }],
      state: rng.chance(0.9) ? 'ENABLED' : 'DISABLED',
      ...(scheduled
        ? { scheduleExpression: 'cron(0 2 * * ? *)' }
        : {
            eventPattern: JSON.stringify({
              source: [rng.pick(['aws.guardduty', 'aws.autoscaling', 'aws.config', 'aws.ce'])],
            }),
          }),
      createdBy: acct,
    });
  }
  rules.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // ---------------------------------------------------------------- spend
  const spend: SimMonthlySpend[] = [];
  const base = (large ? 10 : 1) * 1_500 * 10 ** (rng.next() * 2.3);
  const growth = 1 + (rng.next() * 0.06 - 0.015);
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  for (let k = 13; k >= 0; k--) {
    const start = new Date(Date.UTC(y, m - k, 1));
    const end = new Date(Date.UTC(y, m - k + 1, 1));
    let amount = base * growth ** (13 - k) * (0.9 + rng.next() * 0.2);
    if (k === 0) amount *= (now.getTime() - start.getTime()) / (end.getTime() - start.getTime());
    spend.push({ start: ymd(start), end: ymd(end), amount: Math.round(amount * 1e6) / 1e6, estimated: k === 0 });
  }

  return {
    accountId: acct,
    payer: p,
    organization: has(p, 'member-payer')
      ? foreignOrganization(acct, new Rng(ctx.seed, `foreign-org:${acct}`))
      : {
          id: orgId,
          arn: `arn:aws:organizations::${acct}:organization/${orgId}`,
          masterEmail,
          managementAccountId: acct,
        },
    organizationStanding: has(p, 'standalone-payer') ? 'standalone' : has(p, 'member-payer') ? 'member' : 'management',
    members,
    contact: {
      FullName: person(),
      CompanyName: p.partnerName,
      AddressLine1: `${rng.int(1, 250)} ${rng.pick(['Harbour', 'Market', 'King', 'Station', 'River'])} Street`,
      City: city,
      PostalCode: postal,
      CountryCode: country,
      PhoneNumber: phone(),
      WebsiteUrl: `https://www.${p.partnerDomain}`,
    },
    alternateContacts,
    root,
    centralRootAccess: !has(p, 'central-root-off') && !has(p, 'central-root-untrusted'),
    iamTrustedAccess: !has(p, 'central-root-untrusted'),
    users,
    groups,
    roles,
    policies: [boundary, partnerS3],
    unassignedMfaDevices: rng.chance(0.3) ? [{ serialNumber: `arn:aws:iam::${acct}:mfa/unused-${rng.hex(6)}` }] : [],
    events,
    trails,
    rules,
    regions,
    spend,
    collectorDeniedApis: deniedApi ? [deniedApi] : [],
  };
}

export const ymd = (d: Date) => d.toISOString().slice(0, 10);

/** The organization a member payer sits in: another party's, with its own management account and root email. */
function foreignOrganization(acct: string, rng: Rng): SimAccount['organization'] {
  const managementAccountId = `9${acct.slice(1)}`;
  const id = `o-${rng.hex(10)}`;
  return {
    id,
    arn: `arn:aws:organizations::${managementAccountId}:organization/${id}`,
    masterEmail: `aws-root@other-org-${rng.hex(4)}.example`,
    managementAccountId,
  };
}

const READ_CALLS = [
  { eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', readOnly: true },
  { eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', readOnly: true },
  { eventSource: 'iam.amazonaws.com', eventName: 'GetAccountSummary', readOnly: true },
  { eventSource: 'organizations.amazonaws.com', eventName: 'ListAccounts', readOnly: true },
  { eventSource: 'cloudtrail.amazonaws.com', eventName: 'LookupEvents', readOnly: true },
  { eventSource: 'ec2.amazonaws.com', eventName: 'CreateTags', readOnly: false },
];
