import type { PolicyDocument } from '@payerguard/core';
import { AWS_MANAGED_POLICIES } from '../estate/aws-managed-policies.js';
import type { SimAccount, SimInlinePolicy, SimManagedPolicy, SimTag, SimUser } from '../estate/types.js';
import { ApiError } from '../protocols/errors.js';
import { decodeToken, encodeToken } from '../protocols/json.js';
import { type QueryParams, XmlBlob, XmlMap, type XmlValue } from '../protocols/query.js';
import type { CallContext } from './context.js';

/** IAM returns every policy document as RFC 3986 URL-encoded JSON. */
export const encodeDocument = (d: PolicyDocument) => encodeURIComponent(JSON.stringify(d));

const inlineList = (list: SimInlinePolicy[]) =>
  list.map((p) => ({ PolicyName: p.name, PolicyDocument: encodeDocument(p.document) }));
const nameOfPolicy = (acct: SimAccount, arn: string) =>
  AWS_MANAGED_POLICIES.get(arn)?.name ?? acct.policies.find((p) => p.arn === arn)?.name ?? arn.split('/').pop() ?? arn;
const attachedList = (acct: SimAccount, arns: string[]) =>
  arns.map((arn) => ({ PolicyName: nameOfPolicy(acct, arn), PolicyArn: arn }));
const boundary = (arn: string | undefined) =>
  arn ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn } : undefined;
const tags = (t: SimTag[]) => (t.length ? t.map((x) => ({ Key: x.Key, Value: x.Value })) : undefined);
const userArn = (acct: string, u: { path: string; name: string }) => `arn:aws:iam::${acct}:user${u.path}${u.name}`;
const roleArn = (acct: string, r: { path: string; name: string }) => `arn:aws:iam::${acct}:role${r.path}${r.name}`;

export function getAccountSummary(ctx: CallContext): XmlValue {
  const a = ctx.account;
  const virtual = virtualDevices(a);
  const customerVersions = a.policies.reduce((n, p) => n + p.versions.length, 0);
  return {
    SummaryMap: new XmlMap({
      GroupPolicySizeQuota: 5120,
      InstanceProfilesQuota: 1000,
      Policies: a.policies.length,
      GroupsPerUserQuota: 10,
      InstanceProfiles: 0,
      AttachedPoliciesPerUserQuota: 10,
      Users: a.users.length,
      PoliciesQuota: 1500,
      Providers: 0,
      AccountMFAEnabled: a.root.mfa === 'none' ? 0 : 1,
      AccessKeysPerUserQuota: 2,
      AssumeRolePolicySizeQuota: 2048,
      PolicyVersionsInUseQuota: 10000,
      GlobalEndpointTokenVersion: 1,
      VersionsPerPolicyQuota: 5,
      AttachedPoliciesPerGroupQuota: 10,
      PolicySizeQuota: 6144,
      Groups: a.groups.length,
      AccountSigningCertificatesPresent: a.root.signingCert ? 1 : 0,
      UsersQuota: 5000,
      ServerCertificatesQuota: 20,
      MFADevices:
        virtual.length + a.users.filter((u) => u.mfa === 'hardware').length + (a.root.mfa === 'hardware' ? 1 : 0),
      UserPolicySizeQuota: 2048,
      PolicyVersionsInUse: customerVersions,
      ServerCertificates: 0,
      Roles: a.roles.length,
      RolesQuota: 1000,
      SigningCertificatesPerUserQuota: 2,
      MFADevicesInUse:
        virtual.filter((d) => d.User).length +
        a.users.filter((u) => u.mfa === 'hardware').length +
        (a.root.mfa === 'hardware' ? 1 : 0),
      RolePolicySizeQuota: 10240,
      AttachedPoliciesPerRoleQuota: 10,
      AccountAccessKeysPresent: a.root.accessKey ? 1 : 0,
      GroupsQuota: 300,
    }),
  };
}

interface VirtualDevice {
  SerialNumber: string;
  User?: Record<string, XmlValue>;
  EnableDate?: Date;
}

function virtualDevices(a: SimAccount): VirtualDevice[] {
  const out: VirtualDevice[] = [];
  if (a.root.mfa === 'virtual')
    out.push({
      SerialNumber: `arn:aws:iam::${a.accountId}:mfa/root-account-mfa-device`,
      User: {
        UserId: a.accountId,
        Arn: `arn:aws:iam::${a.accountId}:root`,
        CreateDate: a.root.createDate,
        PasswordLastUsed: a.root.passwordLastUsed,
      },
      EnableDate: a.root.mfaEnableDate,
    });
  for (const u of a.users)
    if (u.mfa === 'virtual')
      out.push({
        SerialNumber: `arn:aws:iam::${a.accountId}:mfa/${u.name}`,
        User: {
          Path: u.path,
          UserName: u.name,
          UserId: u.userId,
          Arn: userArn(a.accountId, u),
          CreateDate: u.createDate,
          PasswordLastUsed: u.passwordLastUsed,
        },
        EnableDate: new Date(u.createDate.getTime() + 3_600_000),
      });
  for (const d of a.unassignedMfaDevices) out.push({ SerialNumber: d.serialNumber });
  return out;
}

function page<T>(items: T[], q: QueryParams, scope: string): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const max = q.int('MaxItems', 100, 1, 1000);
  const start = decodeToken(q.get('Marker'), scope, 'InvalidInput');
  const slice = items.slice(start, start + max);
  const more = start + max < items.length;
  return { items: slice, IsTruncated: more, ...(more ? { Marker: encodeToken(start + max, scope) } : {}) };
}

export function listVirtualMFADevices(ctx: CallContext, q: QueryParams): XmlValue {
  const status = q.get('AssignmentStatus') ?? 'Any';
  if (!['Assigned', 'Unassigned', 'Any'].includes(status))
    throw new ApiError(
      'ValidationError',
      `1 validation error detected: Value '${status}' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Unassigned, Any, Assigned]`,
    );
  const all = virtualDevices(ctx.account).filter((d) => status === 'Any' || (status === 'Assigned') === !!d.User);
  const p = page(all, q, `mfa:${status}`);
  return { VirtualMFADevices: p.items as unknown as XmlValue[], IsTruncated: p.IsTruncated, Marker: p.Marker };
}

/** IAM keeps a generated credential report for 4 hours; then GetCredentialReport answers ReportExpired. */
export const CREDENTIAL_REPORT_TTL_MS = 4 * 3_600_000;

const reportExpired = (ctx: CallContext, started: Date) =>
  ctx.now.getTime() - started.getTime() - ctx.state.credentialReportDelayMs >= ctx.state.credentialReportTtlMs;

export function generateCredentialReport(ctx: CallContext): XmlValue {
  const { credentialReports, credentialReportDelayMs } = ctx.state;
  const started = credentialReports.get(ctx.account.accountId);
  if (!started || reportExpired(ctx, started)) {
    credentialReports.set(ctx.account.accountId, ctx.now);
    return { State: 'STARTED', Description: 'No report exists. Starting a new report generation task' };
  }
  return ctx.now.getTime() - started.getTime() >= credentialReportDelayMs
    ? { State: 'COMPLETE' }
    : { State: 'INPROGRESS' };
}

/** The columns of the IAM credential report, in the order AWS documents them. */
export const CREDENTIAL_REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

const reportTime = (d: Date | undefined, none = 'N/A') => (d ? d.toISOString().replace(/\.\d{3}Z$/, '+00:00') : none);

function keyCells(k: SimUser['accessKeys'][number] | undefined): string[] {
  if (!k) return ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
  return [
    String(k.active),
    reportTime(k.lastRotated),
    reportTime(k.lastUsed),
    k.lastUsed ? 'us-east-1' : 'N/A',
    k.lastService ?? 'N/A',
  ];
}

export function credentialReportCsv(a: SimAccount): string {
  const root = a.root;
  const rootKey = root.accessKey
    ? {
        active: true,
        lastRotated: new Date(root.createDate.getTime() + 86_400_000 * 30),
        lastUsed: root.passwordLastUsed,
        lastService: 'ec2',
      }
    : undefined;
  const rows: string[][] = [
    [
      '<root_account>',
      `arn:aws:iam::${a.accountId}:root`,
      reportTime(root.createDate),
      'not_supported',
      reportTime(root.passwordLastUsed, 'no_information'),
      'not_supported',
      'not_supported',
      String(root.mfa !== 'none'),
      ...keyCells(rootKey),
      ...keyCells(undefined),
      String(root.signingCert),
      root.signingCert ? reportTime(new Date(root.createDate.getTime() + 86_400_000 * 60)) : 'N/A',
      'false',
      'N/A',
    ],
  ];
  for (const u of a.users)
    rows.push([
      u.name,
      userArn(a.accountId, u),
      reportTime(u.createDate),
      String(u.passwordEnabled),
      u.passwordEnabled ? reportTime(u.passwordLastUsed, 'no_information') : 'N/A',
      u.passwordEnabled ? reportTime(u.createDate) : 'N/A',
      'N/A',
      String(u.mfa !== 'none'),
      ...keyCells(u.accessKeys[0]),
      ...keyCells(u.accessKeys[1]),
      'false',
      'N/A',
      'false',
      'N/A',
    ]);
  return [CREDENTIAL_REPORT_COLUMNS.join(','), ...rows.map((r) => r.join(','))].join('\n');
}

export function getCredentialReport(ctx: CallContext): XmlValue {
  const started = ctx.state.credentialReports.get(ctx.account.accountId);
  if (!started)
    throw new ApiError(
      'ReportNotPresent',
      'Credential report not present. Call GenerateCredentialReport to generate a new report.',
      410,
    );
  const ready = new Date(started.getTime() + ctx.state.credentialReportDelayMs);
  if (ctx.now < ready) throw new ApiError('ReportInProgress', 'Report generation in progress.', 404);
  if (reportExpired(ctx, started))
    throw new ApiError(
      'ReportExpired',
      'Credential report expired. Call GenerateCredentialReport to generate a new report.',
      410,
    );
  return {
    Content: new XmlBlob(Buffer.from(credentialReportCsv(ctx.account), 'utf8')),
    ReportFormat: 'text/csv',
    GeneratedTime: ready,
  };
}

/**
 * ListOrganizationsFeatures' documented errors (botocore iam model: no error trait, so the code is the shape name and
 * the status 400), in the order IAM checks them.
 */
export function listOrganizationsFeatures(ctx: CallContext): XmlValue {
  const a = ctx.account;
  if (a.organizationStanding === 'standalone')
    throw new ApiError(
      'OrganizationNotFoundException',
      'The request was rejected because no organization is associated with your account.',
    );
  if (a.organizationStanding === 'member')
    throw new ApiError(
      'AccountNotManagementOrDelegatedAdministratorException',
      'The request was rejected because the account making the request is not the management account or delegated administrator account for centralized root access.',
    );
  if (!a.iamTrustedAccess)
    throw new ApiError(
      'ServiceAccessNotEnabledException',
      'The request was rejected because trusted access is not enabled for IAM in AWS Organizations. For details, see IAM and AWS Organizations in the AWS Organizations User Guide.',
    );
  return {
    OrganizationId: a.organization.id,
    EnabledFeatures: a.centralRootAccess ? ['RootCredentialsManagement', 'RootSessions'] : [],
  };
}

function policyDetail(p: SimManagedPolicy, a: SimAccount): XmlValue {
  const isBoundaryOf = (arn: string | undefined) => arn === p.arn;
  const attachments =
    a.users.filter((u) => u.attached.includes(p.arn)).length +
    a.roles.filter((r) => r.attached.includes(p.arn)).length +
    a.groups.filter((g) => g.attached.includes(p.arn)).length;
  const boundaryUses =
    a.users.filter((u) => isBoundaryOf(u.boundaryArn)).length +
    a.roles.filter((r) => isBoundaryOf(r.boundaryArn)).length;
  return {
    PolicyName: p.name,
    PolicyId: p.policyId,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.versions.find((v) => v.isDefault)?.versionId,
    AttachmentCount: attachments,
    PermissionsBoundaryUsageCount: boundaryUses,
    IsAttachable: true,
    CreateDate: p.createDate,
    UpdateDate: p.updateDate,
    PolicyVersionList: p.versions.map((v) => ({
      Document: encodeDocument(v.document),
      VersionId: v.versionId,
      IsDefaultVersion: v.isDefault,
      CreateDate: v.createDate,
    })),
  };
}

const FILTERS = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'];

export function getAccountAuthorizationDetails(ctx: CallContext, q: QueryParams): XmlValue {
  const a = ctx.account;
  const filter = q.list('Filter');
  for (const f of filter)
    if (!FILTERS.includes(f))
      throw new ApiError(
        'ValidationError',
        `1 validation error detected: Value '[${filter.join(', ')}]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${FILTERS.join(', ')}]]`,
      );
  const want = (f: string) => filter.length === 0 || filter.includes(f);
  const acct = a.accountId;
  type Item = { kind: 'user' | 'group' | 'role' | 'policy'; v: XmlValue };
  const items: Item[] = [];
  if (want('User'))
    for (const u of a.users)
      items.push({
        kind: 'user',
        v: {
          Path: u.path,
          UserName: u.name,
          UserId: u.userId,
          Arn: userArn(acct, u),
          CreateDate: u.createDate,
          UserPolicyList: inlineList(u.inline),
          GroupList: u.groups,
          AttachedManagedPolicies: attachedList(a, u.attached),
          PermissionsBoundary: boundary(u.boundaryArn),
          Tags: tags(u.tags),
        },
      });
  if (want('Group'))
    for (const g of a.groups)
      items.push({
        kind: 'group',
        v: {
          Path: g.path,
          GroupName: g.name,
          GroupId: g.groupId,
          Arn: `arn:aws:iam::${acct}:group${g.path}${g.name}`,
          CreateDate: g.createDate,
          GroupPolicyList: inlineList(g.inline),
          AttachedManagedPolicies: attachedList(a, g.attached),
        },
      });
  if (want('Role'))
    for (const r of a.roles)
      items.push({
        kind: 'role',
        v: {
          Path: r.path,
          RoleName: r.name,
          RoleId: r.roleId,
          Arn: roleArn(acct, r),
          CreateDate: r.createDate,
          AssumeRolePolicyDocument: encodeDocument(r.trust),
          InstanceProfileList: [],
          RolePolicyList: inlineList(r.inline),
          AttachedManagedPolicies: attachedList(a, r.attached),
          PermissionsBoundary: boundary(r.boundaryArn),
          Tags: tags(r.tags),
          RoleLastUsed: r.lastUsed ? { LastUsedDate: r.lastUsed, Region: 'us-east-1' } : {},
        },
      });
  if (want('LocalManagedPolicy')) for (const p of a.policies) items.push({ kind: 'policy', v: policyDetail(p, a) });
  if (want('AWSManagedPolicy')) {
    const used = new Set([
      ...a.users.flatMap((u) => u.attached),
      ...a.roles.flatMap((r) => r.attached),
      ...a.groups.flatMap((g) => g.attached),
    ]);
    for (const [arn, p] of AWS_MANAGED_POLICIES)
      if (used.has(arn)) items.push({ kind: 'policy', v: policyDetail(p, a) });
  }
  const p = page(items, q, `gaad:${filter.join(',')}`);
  const of = (k: Item['kind']) => p.items.filter((i) => i.kind === k).map((i) => i.v);
  return {
    UserDetailList: of('user'),
    GroupDetailList: of('group'),
    RoleDetailList: of('role'),
    Policies: of('policy'),
    IsTruncated: p.IsTruncated,
    Marker: p.Marker,
  };
}

export function getRole(ctx: CallContext, q: QueryParams): XmlValue {
  const name = q.required('RoleName');
  const r = ctx.account.roles.find((x) => x.name === name);
  if (!r) throw new ApiError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
  return {
    Role: {
      Path: r.path,
      RoleName: r.name,
      RoleId: r.roleId,
      Arn: roleArn(ctx.account.accountId, r),
      CreateDate: r.createDate,
      AssumeRolePolicyDocument: encodeDocument(r.trust),
      MaxSessionDuration: r.maxSessionDuration,
      PermissionsBoundary: boundary(r.boundaryArn),
      Tags: tags(r.tags),
      RoleLastUsed: r.lastUsed ? { LastUsedDate: r.lastUsed, Region: 'us-east-1' } : {},
    },
  };
}
