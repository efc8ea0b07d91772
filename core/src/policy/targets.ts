import { boundaryArnFor, type DistributorSettings } from '../settings.js';

/**
 * What an escalation probe can aim at in one payer account: the boundary itself, the principals it fences, the
 * principals it does not (which a fenced admin could take over), and the distributor's protected resources.
 *
 * `checkBoundary` builds a synthetic payer from settings alone (the distributor's own principals and resources);
 * `analyzePayer` builds it from the payer's real AuthorizationDetails, trails and rules.
 */
export interface PayerTargets {
  accountId: string;
  settings: DistributorSettings;
  boundaryArn: string;
  /** The managed-policy path and name the boundary lives at, for look-alike probes. */
  boundaryPath: string;
  boundaryName: string;
  /** Users and roles fenced by the boundary: removing or replacing their boundary is an escape. */
  boundedUsers: string[];
  boundedRoles: string[];
  /** Roles without the boundary that a fenced admin must not pass to a service or assume. */
  unboundedRoles: string[];
  /**
   * Users and roles without the distributor's boundary whose credentials, policies or trust a fenced admin must not
   * touch (boundaryArn: some other boundary they carry, sent as iam:PermissionsBoundary).
   */
  takeoverUsers: { arn: string; boundaryArn?: string }[];
  takeoverRoles: { arn: string; boundaryArn?: string }[];
  /** The distributor's own roles and users (governance): never to be deleted, re-trusted or disabled. */
  distributorRoles: string[];
  distributorUsers: string[];
  /**
   * Resource tags the boundary's conditions look at (e.g. a "bounded=true" exception on PassRole): probes try putting
   * them on an unfenced role, since a tag is only a guarantee if the partner cannot set it.
   */
  forgeableTags: { key: string; value: string }[];
  /** Groups with a member outside the boundary: new group permissions reach that member unfenced. */
  takeoverGroups: string[];
  /** Customer-managed policies attached to someone outside the boundary: a new version re-writes their rights. */
  takeoverPolicies: string[];
  /** Groups an unfenced user the partner controls could be added to (payer analysis only). */
  joinableGroups: string[];
  /** Unfenced partner users (payer analysis only): AddUserToGroup puts them in joinableGroups. */
  partnerUnboundedUsers: string[];
  /** Role paths named by the boundary (e.g. "/bounded/"): creation probes also try these. */
  extraRolePaths: string[];
  monitorRuleArns: string[];
  trailArns: string[];
  stackArns: string[];
  regions: string[];
}

export const DEFAULT_REGION = 'us-east-1';

const iamArn = (acct: string, kind: string, pathAndName: string) => `arn:aws:iam::${acct}:${kind}${pathAndName}`;
const withSlashes = (p: string) => (p.startsWith('/') ? p : `/${p}`).replace(/\/?$/, '/');

/** Role and user ARNs of the distributor's own principals, by name and by path. */
export function distributorPrincipalArns(settings: DistributorSettings, accountId: string): { roles: string[]; users: string[] } {
  const names = [...new Set([settings.collectorRoleName, settings.billingRoleName, ...settings.distributorPrincipals.names])];
  const paths = settings.distributorPrincipals.paths.map(withSlashes);
  return {
    roles: [...names.map((n) => iamArn(accountId, 'role/', n)), ...paths.map((p) => iamArn(accountId, 'role', `${p}payerguard-probe`))],
    users: paths.map((p) => iamArn(accountId, 'user', `${p}payerguard-probe`)),
  };
}

/** Role paths that appear in a boundary's ARNs, so probes also create roles where a boundary makes exceptions. */
export function rolePathsIn(boundary: unknown): string[] {
  const text = JSON.stringify(boundary ?? {});
  const paths = new Set<string>();
  for (const m of text.matchAll(/:role(\/[\w+=,.@\/-]*\/)/g)) {
    const p = m[1] as string;
    if (p !== '/' && !p.includes('*')) paths.add(p);
  }
  return [...paths];
}

/**
 * Tag keys and values a boundary's conditions compare aws:ResourceTag / iam:ResourceTag with. Wildcards become a
 * matching value ("*" and "?" replaced), and a key tested only for presence (Null) gets "true".
 */
export function resourceTagsIn(boundary: unknown): { key: string; value: string }[] {
  const out = new Map<string, { key: string; value: string }>();
  const statements = (boundary as { Statement?: unknown })?.Statement;
  for (const st of Array.isArray(statements) ? statements : statements ? [statements] : []) {
    const cond = (st as { Condition?: Record<string, Record<string, unknown>> })?.Condition;
    if (!cond || typeof cond !== 'object') continue;
    for (const [op, block] of Object.entries(cond)) {
      if (!block || typeof block !== 'object') continue;
      for (const [k, v] of Object.entries(block)) {
        const m = /^(?:aws|iam):ResourceTag\/(.+)$/i.exec(k);
        if (!m) continue;
        const key = m[1] as string;
        const values = /^Null$/i.test(op) ? ['true'] : (Array.isArray(v) ? v : [v]).map(String);
        for (const raw of values) {
          const value = raw.replace(/\*/g, 'x').replace(/\?/g, 'x');
          out.set(`${key}\u0000${value}`, { key, value });
        }
      }
    }
  }
  return [...out.values()];
}

export function governanceArns(settings: DistributorSettings, accountId: string, regions: string[]) {
  const p = settings.protectedResources;
  return {
    monitorRuleArns: regions.map((r) => `arn:aws:events:${r}:${accountId}:rule/${p.monitorRuleName}`),
    trailArns: regions.map((r) => `arn:aws:cloudtrail:${r}:${accountId}:trail/${p.trailName}`),
    stackArns: regions.map(
      (r) => `arn:aws:cloudformation:${r}:${accountId}:stack/${p.governanceStackName}/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`,
    ),
  };
}

/** A payer as the boundary template sees it: only what settings say must exist. */
export function syntheticTargets(settings: DistributorSettings, accountId: string, boundaryArn: string, boundary?: unknown): PayerTargets {
  const m = /^arn:aws[\w-]*:iam::[^:]*:policy(\/.*\/|\/)([^/]+)$/.exec(boundaryArn);
  const boundaryPath = m?.[1] ?? settings.boundary.policyPath;
  const boundaryName = m?.[2] ?? settings.boundary.policyName;
  const dist = distributorPrincipalArns(settings, accountId);
  const regions = [DEFAULT_REGION];
  return {
    accountId,
    settings,
    boundaryArn,
    boundaryPath,
    boundaryName,
    boundedUsers: [iamArn(accountId, 'user/', 'partner-admin'), iamArn(accountId, 'user/', 'partner-developer')],
    boundedRoles: [iamArn(accountId, 'role/', 'PartnerAdmin'), iamArn(accountId, 'role/', 'partner-workload')],
    // A partner role made before the boundary existed, and the distributor's own named roles.
    unboundedRoles: [iamArn(accountId, 'role/', 'partner-legacy-admin'), ...dist.roles.filter((r) => !isUnderPaths(r, settings))],
    takeoverUsers: dist.users.map((arn) => ({ arn })),
    takeoverRoles: dist.roles.map((arn) => ({ arn })),
    distributorRoles: dist.roles,
    distributorUsers: dist.users,
    forgeableTags: resourceTagsIn(boundary),
    takeoverGroups: [],
    takeoverPolicies: [],
    joinableGroups: [],
    partnerUnboundedUsers: [],
    extraRolePaths: rolePathsIn(boundary),
    ...governanceArns(settings, accountId, regions),
    regions,
  };
}

/** The distributor's own roles by path are the allowed exception to "never pass or assume an unbounded role". */
export function isUnderPaths(arn: string, settings: DistributorSettings): boolean {
  const m = /^arn:aws[\w-]*:iam::\d{12}:(?:role|user|group)(\/.*\/|\/)[^/]+$/.exec(arn);
  if (!m) return false;
  return settings.distributorPrincipals.paths.some((p) => withSlashes(p) === m[1]);
}

export { boundaryArnFor };
