import {
  GenerateCredentialReportCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetRoleCommand,
  IAMClient,
  ListOrganizationsFeaturesCommand,
  type ListOrganizationsFeaturesCommandOutput,
  ListVirtualMFADevicesCommand,
  type PolicyDetail,
  type Tag,
} from '@aws-sdk/client-iam';
import {
  API,
  type AuthorizationDetails,
  type Call,
  type CredentialReportRow,
  type InlinePolicy,
  ORGANIZATIONS_FEATURES_ANSWERS,
  type OrganizationsFeatures,
  type OrganizationsFeaturesError,
  type PayerEvidence,
  type PolicyDocument,
  type VirtualMfaDevice,
} from '@payerguard/core';
import { capture, errorCodeOf, MalformedAnswer, type RequestIds } from '../aws/call.js';
import { type PayerClient, payerClient } from '../aws/clients.js';
import { type CollectorContext, MAX_ITEMS, MAX_PAGES, pagedBudget, singleBudget } from './context.js';
import { decodePolicyDocument, parseCredentialReport, redactExternalIds, trustsAccount } from './decode.js';

const iso = (d: Date | undefined) => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : '');
const tagsOf = (tags: Tag[] | undefined) => Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
const inline = (list: PolicyDetail[] | undefined, where: string): InlinePolicy[] =>
  (list ?? []).map((p) => ({
    name: p.PolicyName ?? '',
    document: decodePolicyDocument(p.PolicyDocument, `${where} inline policy ${p.PolicyName}`),
  }));
const attached = (list: { PolicyArn?: string; PolicyName?: string }[] | undefined) =>
  (list ?? []).map((p) => ({ arn: p.PolicyArn ?? '', name: p.PolicyName ?? '' }));

/** How long to wait for IAM to generate the credential report: poll with backoff, bounded. */
export const CREDENTIAL_REPORT_POLL = { firstDelayMs: 200, maxDelayMs: 2_000, maxPolls: 10 };

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

export function iamClient(ctx: CollectorContext): PayerClient<IAMClient> {
  return payerClient(IAMClient, ctx);
}

/**
 * Generate, then poll GetCredentialReport. ReportInProgress (404) and ReportNotPresent (410, the generation not yet
 * visible) mean "ask again". ReportExpired (410: the report IAM holds is over 4 hours old) means "generate anew", once.
 * GeneratedTime is recorded: IAM hands out a report up to 4 hours old, and the controls say how old it was.
 */
async function credentialReport(
  client: PayerClient<IAMClient>,
  signal: AbortSignal,
  ids: RequestIds,
): Promise<{ rows: CredentialReportRow[]; generatedTime?: string }> {
  const generate = async () =>
    ids.add(await client.send(new GenerateCredentialReportCommand({}), { abortSignal: signal }));
  await generate();
  let regenerated = false;
  let delay = CREDENTIAL_REPORT_POLL.firstDelayMs;
  for (let poll = 0; poll < CREDENTIAL_REPORT_POLL.maxPolls && !signal.aborted; poll++) {
    try {
      const out = await client.send(new GetCredentialReportCommand({}), { abortSignal: signal });
      ids.add(out);
      if (!out.Content) throw new MalformedAnswer('GetCredentialReport answered without content');
      const generatedTime = iso(out.GeneratedTime);
      return {
        rows: parseCredentialReport(Buffer.from(out.Content).toString('utf8')),
        ...(generatedTime ? { generatedTime } : {}),
      };
    } catch (err) {
      const code = errorCodeOf(err);
      if (code === 'ReportExpired' && !regenerated) {
        regenerated = true;
        await generate();
      } else if (!/^(ReportInProgress|ReportNotPresent)$/.test(code)) throw err;
    }
    await sleep(delay, signal);
    delay = Math.min(delay * 2, CREDENTIAL_REPORT_POLL.maxDelayMs);
  }
  const e = new Error(`credential report still not ready after ${CREDENTIAL_REPORT_POLL.maxPolls} polls`);
  e.name = 'ReportInProgress';
  throw e;
}

async function authorizationDetails(
  client: PayerClient<IAMClient>,
  signal: AbortSignal,
  ids: RequestIds,
): Promise<AuthorizationDetails> {
  const d: AuthorizationDetails = { users: [], groups: [], roles: [], policies: [], pages: 0 };
  let Marker: string | undefined;
  for (;;) {
    if (d.pages >= MAX_PAGES)
      throw new MalformedAnswer(`GetAccountAuthorizationDetails still truncated after ${MAX_PAGES} pages`);
    const out = await client.send(new GetAccountAuthorizationDetailsCommand({ Marker, MaxItems: 100 }), {
      abortSignal: signal,
    });
    ids.add(out);
    d.pages++;
    for (const u of out.UserDetailList ?? []) {
      if (d.users.length >= MAX_ITEMS) break;
      d.users.push({
        arn: u.Arn ?? '',
        name: u.UserName ?? '',
        userId: u.UserId ?? '',
        path: u.Path ?? '/',
        createDate: iso(u.CreateDate),
        groups: u.GroupList ?? [],
        inlinePolicies: inline(u.UserPolicyList, `user ${u.UserName}`),
        attachedPolicies: attached(u.AttachedManagedPolicies),
        ...(u.PermissionsBoundary?.PermissionsBoundaryArn
          ? { permissionsBoundaryArn: u.PermissionsBoundary.PermissionsBoundaryArn }
          : {}),
        tags: tagsOf(u.Tags),
      });
    }
    for (const g of out.GroupDetailList ?? []) {
      if (d.groups.length >= MAX_ITEMS) break;
      d.groups.push({
        arn: g.Arn ?? '',
        name: g.GroupName ?? '',
        path: g.Path ?? '/',
        inlinePolicies: inline(g.GroupPolicyList, `group ${g.GroupName}`),
        attachedPolicies: attached(g.AttachedManagedPolicies),
      });
    }
    for (const r of out.RoleDetailList ?? []) {
      if (d.roles.length >= MAX_ITEMS) break;
      d.roles.push({
        arn: r.Arn ?? '',
        name: r.RoleName ?? '',
        roleId: r.RoleId ?? '',
        path: r.Path ?? '/',
        createDate: iso(r.CreateDate),
        assumeRolePolicy: redactExternalIds(
          decodePolicyDocument(r.AssumeRolePolicyDocument, `role ${r.RoleName} trust policy`),
        ),
        inlinePolicies: inline(r.RolePolicyList, `role ${r.RoleName}`),
        attachedPolicies: attached(r.AttachedManagedPolicies),
        ...(r.PermissionsBoundary?.PermissionsBoundaryArn
          ? { permissionsBoundaryArn: r.PermissionsBoundary.PermissionsBoundaryArn }
          : {}),
        tags: tagsOf(r.Tags),
        ...(r.RoleLastUsed?.LastUsedDate ? { roleLastUsed: iso(r.RoleLastUsed.LastUsedDate) } : {}),
      });
    }
    for (const p of out.Policies ?? []) {
      if (d.policies.length >= MAX_ITEMS) break;
      d.policies.push({
        arn: p.Arn ?? '',
        name: p.PolicyName ?? '',
        path: p.Path ?? '/',
        defaultVersionId: p.DefaultVersionId ?? '',
        attachmentCount: p.AttachmentCount ?? 0,
        permissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount ?? 0,
        isAttachable: p.IsAttachable ?? true,
        versions: (p.PolicyVersionList ?? []).map((v) => ({
          versionId: v.VersionId ?? '',
          isDefaultVersion: v.IsDefaultVersion ?? false,
          ...(v.CreateDate ? { createDate: iso(v.CreateDate) } : {}),
          document: decodePolicyDocument(v.Document, `policy ${p.PolicyName} ${v.VersionId}`),
        })),
      });
    }
    if (!out.IsTruncated) return d;
    if (!out.Marker) throw new MalformedAnswer('GetAccountAuthorizationDetails is truncated but gave no Marker');
    Marker = out.Marker;
  }
}

/** Root MFA and keys, the credential report, centralized root access, and every user, role, group and policy. */
export async function collectIam(ctx: CollectorContext): Promise<NonNullable<PayerEvidence['iam']>> {
  const client = iamClient(ctx);

  const accountSummary = capture(API.getAccountSummary, singleBudget(ctx), async (abortSignal, ids) => {
    const out = await client.send(new GetAccountSummaryCommand({}), { abortSignal });
    ids.add(out);
    if (!out.SummaryMap || typeof out.SummaryMap !== 'object')
      throw new MalformedAnswer('GetAccountSummary answered without a SummaryMap');
    const map: Record<string, number> = {};
    for (const [k, v] of Object.entries(out.SummaryMap)) if (typeof v === 'number') map[k] = v;
    return map;
  });

  const virtualMfaDevices = capture(API.listVirtualMFADevices, pagedBudget(ctx), async (abortSignal, ids) => {
    const all: VirtualMfaDevice[] = [];
    let Marker: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES)
        throw new MalformedAnswer(`ListVirtualMFADevices still truncated after ${MAX_PAGES} pages`);
      const out = await client.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Any', Marker }), {
        abortSignal,
      });
      ids.add(out);
      for (const v of out.VirtualMFADevices ?? []) {
        if (!v.SerialNumber)
          throw new MalformedAnswer('ListVirtualMFADevices returned a device without a SerialNumber');
        // Only what a control needs: the seed and QR code AWS may include are secrets and never kept.
        if (all.length < MAX_ITEMS)
          all.push({
            serialNumber: v.SerialNumber,
            ...(v.User?.Arn ? { userArn: v.User.Arn } : {}),
            ...(v.EnableDate ? { enableDate: iso(v.EnableDate) } : {}),
          });
      }
      if (!out.IsTruncated) return all;
      if (!out.Marker) throw new MalformedAnswer('ListVirtualMFADevices is truncated but gave no Marker');
      Marker = out.Marker;
    }
  });

  let credentialReportGeneratedTime: string | undefined;
  const credentialReportCall = capture(API.getCredentialReport, pagedBudget(ctx), async (abortSignal, ids) => {
    const report = await credentialReport(client, abortSignal, ids);
    credentialReportGeneratedTime = report.generatedTime;
    return report.rows;
  });

  const organizationsFeatures = capture<OrganizationsFeatures>(
    API.listOrganizationsFeatures,
    singleBudget(ctx),
    async (abortSignal, ids) => {
      let out: ListOrganizationsFeaturesCommandOutput;
      try {
        out = await client.send(new ListOrganizationsFeaturesCommand({}), { abortSignal });
      } catch (err) {
        // Each documented error says why centralized root access cannot be on: an answer for the control, not a gap.
        const code = errorCodeOf(err);
        if (code in ORGANIZATIONS_FEATURES_ANSWERS)
          return { enabledFeatures: [], answeredWith: code as OrganizationsFeaturesError };
        throw err;
      }
      ids.add(out);
      return {
        ...(out.OrganizationId ? { organizationId: out.OrganizationId } : {}),
        enabledFeatures: (out.EnabledFeatures ?? []).map(String),
      };
    },
  );

  const authDetails = capture(API.getAccountAuthorizationDetails, pagedBudget(ctx), (abortSignal, ids) =>
    authorizationDetails(client, abortSignal, ids),
  );

  const [a, v, c, o, d] = await Promise.all([
    accountSummary,
    virtualMfaDevices,
    credentialReportCall,
    organizationsFeatures,
    authDetails,
  ]);
  return {
    accountSummary: a,
    virtualMfaDevices: v,
    credentialReport: c,
    ...(credentialReportGeneratedTime ? { credentialReportGeneratedTime } : {}),
    organizationsFeatures: o,
    authorizationDetails: d,
  };
}

/** The distributor's billing-admin role: present, and trusting the distributor's hub account. */
export async function collectBillingRole(ctx: CollectorContext): Promise<NonNullable<PayerEvidence['billingRole']>> {
  const client = iamClient(ctx);
  const roleName = ctx.settings.billingRoleName;
  const roleArn = `arn:aws:iam::${ctx.accountId}:role/${roleName}`;
  return capture(API.getRole, singleBudget(ctx), async (abortSignal, ids) => {
    try {
      const out = await client.send(new GetRoleCommand({ RoleName: roleName }), { abortSignal });
      ids.add(out);
      if (!out.Role) throw new MalformedAnswer('GetRole answered without a role');
      const trustPolicy: PolicyDocument = decodePolicyDocument(
        out.Role.AssumeRolePolicyDocument,
        `role ${roleName} trust policy`,
      );
      return {
        roleArn: out.Role.Arn ?? roleArn,
        exists: true,
        trustsDistributor: trustsAccount(trustPolicy, ctx.settings.hubAccountId),
        trustPolicy: redactExternalIds(trustPolicy),
      };
    } catch (err) {
      if (/^NoSuchEntity/.test(errorCodeOf(err))) return { roleArn, exists: false, trustsDistributor: false };
      throw err;
    }
  }) as Promise<Call<{ roleArn: string; exists: boolean; trustsDistributor: boolean; trustPolicy?: PolicyDocument }>>;
}
