import { createHash } from 'node:crypto';
import type { AuthorizationDetails, IamRole, IamUser, PayerEvidence } from '../evidence/types.js';
import { boundaryArnFor, type DistributorSettings } from '../settings.js';
import { defaultVersionDocument, type EffectivePolicies, effectivePolicies, PolicyIndex } from './effective.js';
import { PolicySet, simulationsRun, validatePolicyDocument } from './engine.js';
import { ESCALATION_METHODS, isActionName, type ProbeStep, type Route } from './escalation-methods.js';
import { type Caller, evaluateMethod, type OpenPath, requestFor } from './probe.js';
import {
  attackerVariants,
  DEFAULT_REGION,
  distributorPrincipalArns,
  governanceArns,
  isUnderPaths,
  namedBoundariesIn,
  type PayerTargets,
  principalArnsIn,
  resourceTagsIn,
} from './targets.js';

export type { OpenPath } from './probe.js';

export interface PrincipalAnalysis {
  arn: string;
  name: string;
  kind: 'user' | 'role';
  path: string;
  /** Matches settings.distributorPrincipals (path, name or tag), or is the collector / billing role. */
  isDistributorOwned: boolean;
  /** What made it the distributor's: its path, its name, or only a tag (which a partner admin may be able to set). */
  distributorOwnedBy?: 'path' | 'name' | 'tag';
  /** AWS service-linked or reserved (Identity Center) path: IAM cannot give it a boundary. */
  isServiceLinked: boolean;
  /** Can create principals, grant permissions, or take over credentials, within its own boundary if any. */
  canAdministerIam: boolean;
  boundaryArn?: string;
  hasDistributorBoundary: boolean;
  /** Escalation routes and protected resources the simulator found open for this principal. */
  openPaths: OpenPath[];
  /** Whether openPaths were computed (not for distributor-owned or service-linked principals, nor unknown documents). */
  analyzed: boolean;
  /** Some identity policy could not be read, so openPaths assume it allows everything. */
  assumedWorstCase: boolean;
  /** Policy ARNs (or the boundary) whose documents the evidence lacks: the verdict may be incomplete. */
  unresolvedPolicies: string[];
  invalidPolicies: { name: string; problems: string[] }[];
}

export interface PayerAnalysis {
  principals: PrincipalAnalysis[];
  boundaryArn: string;
  /** The distributor's boundary policy is present in the payer. */
  boundaryPresent: boolean;
  /** Open paths for a hypothetical AdministratorAccess user fenced by the deployed boundary; null if not deployed. */
  adminOpenPaths: OpenPath[] | null;
  stats: { principals: number; distinctPolicySets: number; simulations: number; durationMs: number };
}

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

const MAX_FENCED_TARGETS = 25;

const SERVICE_PATHS = /^\/(aws-service-role|aws-reserved\/)/;
const RESERVED_SSO = /^\/aws-reserved\//;

/** Why a principal counts as the distributor's own, or undefined when it does not. */
export function distributorOwnership(
  p: Pick<IamUser, 'name' | 'path' | 'tags'>,
  kind: 'user' | 'role',
  settings: DistributorSettings,
): 'path' | 'name' | 'tag' | undefined {
  const dp = settings.distributorPrincipals;
  const path = p.path || '/';
  if (dp.paths.some((x) => (x.endsWith('/') ? x : `${x}/`) === path)) return 'path';
  if (dp.names.includes(p.name)) return 'name';
  if (kind === 'role' && (p.name === settings.collectorRoleName || p.name === settings.billingRoleName)) return 'name';
  return dp.tags.some((t) => p.tags?.[t.key] === t.value) ? 'tag' : undefined;
}

export const isDistributorOwned = (
  p: Pick<IamUser, 'name' | 'path' | 'tags'>,
  kind: 'user' | 'role',
  settings: DistributorSettings,
): boolean => distributorOwnership(p, kind, settings) !== undefined;

/** Identity Center roles live under /aws-reserved/ but carry permission-set rights a partner uses: keep them in scope. */
export const isServiceLinkedPath = (path: string) => SERVICE_PATHS.test(path) && !RESERVED_SSO.test(path);

interface AnalysisCore {
  canAdministerIam: boolean;
  reachesProtected: boolean;
  openPaths: OpenPath[];
}

const IAM_ADMIN_PROBES = (acct: string, boundaryArn: string): ProbeStep[] => [
  {
    action: 'iam:CreateUser',
    resource: `arn:aws:iam::${acct}:user/payerguard-probe-target`,
    context: { 'iam:PermissionsBoundary': boundaryArn },
  },
  {
    action: 'iam:CreateRole',
    resource: `arn:aws:iam::${acct}:role/payerguard-probe-target`,
    context: { 'iam:PermissionsBoundary': boundaryArn },
  },
  {
    action: 'iam:AttachUserPolicy',
    resource: `arn:aws:iam::${acct}:user/payerguard-probe-target`,
    context: { 'iam:PermissionsBoundary': boundaryArn, 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' },
  },
  {
    action: 'iam:AttachRolePolicy',
    resource: `arn:aws:iam::${acct}:role/payerguard-probe-target`,
    context: { 'iam:PermissionsBoundary': boundaryArn, 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' },
  },
  {
    action: 'iam:PutUserPolicy',
    resource: `arn:aws:iam::${acct}:user/payerguard-probe-target`,
    context: { 'iam:PermissionsBoundary': boundaryArn },
  },
  {
    action: 'iam:PutRolePolicy',
    resource: `arn:aws:iam::${acct}:role/payerguard-probe-target`,
    context: { 'iam:PermissionsBoundary': boundaryArn },
  },
  {
    action: 'iam:AttachGroupPolicy',
    resource: `arn:aws:iam::${acct}:group/payerguard-probe-target`,
    context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' },
  },
  { action: 'iam:PutGroupPolicy', resource: `arn:aws:iam::${acct}:group/payerguard-probe-target` },
  { action: 'iam:AddUserToGroup', resource: `arn:aws:iam::${acct}:group/payerguard-probe-target` },
  { action: 'iam:CreatePolicyVersion', resource: `arn:aws:iam::${acct}:policy/payerguard-probe-target` },
  { action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${acct}:user/payerguard-probe-target` },
  {
    action: 'iam:UpdateAssumeRolePolicy',
    resource: `arn:aws:iam::${acct}:role/payerguard-probe-target`,
    context: { 'iam:PermissionsBoundary': boundaryArn },
  },
];

const PROTECTED_PROBES = (settings: DistributorSettings): ProbeStep[] => [
  ...settings.protectedResources.s3Buckets.map((b) => ({
    action: 's3:GetObject',
    resource: `arn:aws:s3:::${b}/billing/report.csv`,
  })),
  ...settings.protectedResources.billingActions.filter(isActionName).map((action) => ({ action, resource: '*' })),
];

const SELF = 'payerguard-self';

/** Evidence from storage or an odd collector may lack lists; an absent list is an empty one, never a crash. */
function normalizeDetails(d: AuthorizationDetails): AuthorizationDetails {
  const list = <T>(x: T[] | undefined | null): T[] => (Array.isArray(x) ? x : []);
  const principal = <
    T extends { inlinePolicies: unknown[]; attachedPolicies: unknown[]; tags: Record<string, string> },
  >(
    p: T,
  ): T => ({
    ...p,
    path: (p as { path?: string }).path || '/',
    inlinePolicies: list(p.inlinePolicies),
    attachedPolicies: list(p.attachedPolicies),
    tags: p.tags && typeof p.tags === 'object' ? p.tags : {},
  });
  return {
    ...d,
    users: list(d?.users).map((u) => ({ ...principal(u), groups: list(u.groups) })),
    roles: list(d?.roles).map(principal),
    groups: list(d?.groups).map((g) => ({
      ...g,
      inlinePolicies: list(g.inlinePolicies),
      attachedPolicies: list(g.attachedPolicies),
    })),
    policies: list(d?.policies).map((p) => ({ ...p, versions: list(p.versions) })),
  };
}

/**
 * Who a role's trust policy lets in, as far as escalation goes: principals of the payer itself (without an ExternalId,
 * which a partner does not know) and AWS services. Conditions other than sts:ExternalId are taken as satisfiable.
 */
export function trustOf(doc: unknown, accountId: string): { account: boolean; services: string[] } {
  const statements = (doc as { Statement?: unknown })?.Statement;
  let account = false;
  const services = new Set<string>();
  for (const st of Array.isArray(statements) ? statements : statements ? [statements] : []) {
    const s = st as {
      Effect?: string;
      Action?: unknown;
      Principal?: unknown;
      Condition?: Record<string, Record<string, unknown>>;
    };
    if (s?.Effect !== 'Allow') continue;
    const actions = (Array.isArray(s.Action) ? s.Action : [s.Action]).map((a) => String(a).toLowerCase());
    if (!actions.some((a) => a === '*' || a === 'sts:*' || a === 'sts:assumerole')) continue;
    const externalId = Object.values(s.Condition ?? {}).some((b) =>
      Object.keys(b ?? {}).some((k) => k.toLowerCase() === 'sts:externalid'),
    );
    const p = s.Principal;
    if (p === '*') {
      if (!externalId) account = true;
      continue;
    }
    if (!p || typeof p !== 'object') continue;
    const { AWS, Service } = p as { AWS?: unknown; Service?: unknown };
    for (const a of (Array.isArray(AWS) ? AWS : AWS === undefined ? [] : [AWS]).map(String))
      if (
        !externalId &&
        (a === '*' ||
          a === accountId ||
          a.startsWith(`arn:aws:iam::${accountId}:`) ||
          a.startsWith(`arn:aws:sts::${accountId}:`))
      )
        account = true;
    for (const svc of (Array.isArray(Service) ? Service : Service === undefined ? [] : [Service]).map(String))
      services.add(svc);
  }
  return { account, services: [...services] };
}

/**
 * How to analyse `caller` so that principals with the same policies share one analysis. Policies that never look at
 * who is calling give the same answer for everyone. Policies with variables or principal keys (`${aws:username}`,
 * aws:PrincipalArn) are analysed for a stand-in principal with the same kind, path and tags, and with the same
 * place among the targets (e.g. "is one of the fenced users"), unless they name the caller outright.
 */
function canonicalFor(caller: Caller, eff: EffectivePolicies, targets: PayerTargets) {
  const docs = JSON.stringify([
    caller.kind,
    eff.identity.map((p) => JSON.stringify(p.document)).sort(),
    eff.boundary?.document ?? null,
  ]);
  const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex');
  if (!/\$\{|aws:(Principal|user)/i.test(docs)) return { key: hash(docs), caller, targets, restore: (x: string) => x };
  const tags = /PrincipalTag/i.test(docs) ? JSON.stringify(caller.tags ?? {}) : '';
  if (docs.includes(caller.name) || (caller.id && docs.includes(caller.id)) || caller.name.startsWith('payerguard-'))
    return { key: hash(docs, caller.arn, tags), caller, targets, restore: (x: string) => x };
  const arn = caller.arn.replace(/[^/]+$/, SELF);
  const self = { ...caller, arn, name: SELF, id: caller.kind === 'user' ? 'AIDAPAYERGUARDSELF' : 'AROAPAYERGUARDSELF' };
  const swap = (x: string) => (x === caller.arn ? arn : x);
  const places: string[] = [];
  const t = { ...targets } as unknown as Record<string, unknown>;
  for (const [field, value] of Object.entries(targets)) {
    if (!Array.isArray(value)) continue;
    if (value.some((v) => v === caller.arn || (v as { arn?: string })?.arn === caller.arn)) places.push(field);
    t[field] = value.map((v) =>
      typeof v === 'string'
        ? swap(v)
        : v && typeof v === 'object' && 'arn' in v
          ? { ...v, arn: swap((v as { arn: string }).arn) }
          : v,
    );
  }
  return {
    key: hash(docs, arn, tags, places.join(',')),
    caller: self,
    targets: t as unknown as PayerTargets,
    restore: (x: string) => (x === arn ? caller.arn : x),
  };
}

function callerOf(p: IamUser | IamRole, kind: 'user' | 'role', accountId: string): Caller {
  return {
    kind,
    arn: p.arn,
    accountId,
    name: p.name,
    id: 'userId' in p ? p.userId : p.roleId,
    tags: p.tags ?? {},
  };
}

/**
 * Analyzes one principal against the payer's targets: can it administer IAM, and which escalation routes and
 * protected resources are open to it (its identity policies intersected with its boundary, explicit denies winning).
 */
export function analyzePrincipal(
  caller: Caller,
  eff: EffectivePolicies,
  targets: PayerTargets,
  opts: { withPaths?: boolean; now?: Date; cache?: Map<string, AnalysisCore> } = {},
): AnalysisCore {
  const canon = canonicalFor(caller, eff, targets);
  const key = `${opts.withPaths === false ? 'cap' : 'full'}:${canon.key}`;
  // The cache holds the stand-in's answer; each principal gets it back with its own ARN where the stand-in's was.
  let result = opts.cache?.get(key);
  if (!result) {
    result = analyzeOnce(canon.caller, eff, canon.targets, opts);
    opts.cache?.set(key, result);
  }
  if (canon.caller === caller) return result;
  return {
    ...result,
    openPaths: result.openPaths.map((o) => ({
      ...o,
      resource: canon.restore(o.resource),
      steps: o.steps.map((st) => ({ ...st, resource: canon.restore(st.resource) })),
    })),
  };
}

/** Each method's routes for a payer's targets, worked out once for all its principals. */
const routesByTargets = new WeakMap<PayerTargets, Route[][]>();
function routesOf(targets: PayerTargets): Route[][] {
  let routes = routesByTargets.get(targets);
  if (!routes) {
    routes = ESCALATION_METHODS.map((m) => m.routes(targets));
    routesByTargets.set(targets, routes);
  }
  return routes;
}

function analyzeOnce(
  caller: Caller,
  eff: EffectivePolicies,
  targets: PayerTargets,
  opts: { withPaths?: boolean; now?: Date },
): AnalysisCore {
  const policies = new PolicySet(eff.identity, eff.boundary);
  const now = opts.now ?? new Date();
  const allowed = (step: ProbeStep) => policies.allows(requestFor(caller, step, now));
  const canAdministerIam = IAM_ADMIN_PROBES(targets.accountId, targets.boundaryArn).some(allowed);
  const reachesProtected = PROTECTED_PROBES(targets.settings).some(allowed);
  const openPaths: OpenPath[] = [];
  if (opts.withPaths !== false) {
    const routes = routesOf(targets);
    ESCALATION_METHODS.forEach((method, i) => {
      openPaths.push(
        ...evaluateMethod(method, policies, caller, targets, { now, denials: false, routes: routes[i] }).open,
      );
    });
  }
  return { canAdministerIam, reachesProtected, openPaths };
}

function payerTargets(
  details: AuthorizationDetails,
  evidence: PayerEvidence,
  settings: DistributorSettings,
  powerful: (p: IamUser | IamRole, kind: 'user' | 'role') => boolean,
): PayerTargets {
  const acct = evidence.payerAccountId;
  const boundaryArn = boundaryArnFor(settings, acct);
  const boundary = details.policies.find((p) => p.arn === boundaryArn);
  const boundaryDocs = boundary?.versions.map((v) => v.document) ?? [];
  const fenced = (p: { permissionsBoundaryArn?: string }) => p.permissionsBoundaryArn === boundaryArn;
  const owned = (p: IamUser | IamRole, kind: 'user' | 'role') => isDistributorOwned(p, kind, settings);
  const roles = details.roles.filter((r) => !isServiceLinkedPath(r.path || '/'));
  const users = details.users;

  const takeoverUsers = users.filter((u) => !fenced(u) && (owned(u, 'user') || powerful(u, 'user')));
  const takeoverRoles = roles.filter((r) => !fenced(r) && (owned(r, 'role') || powerful(r, 'role')));
  const partnerUnbounded = users.filter((u) => !fenced(u) && !owned(u, 'user'));
  const partnerUnboundedNames = new Set(partnerUnbounded.flatMap((u) => [u.name, u.arn]));
  const takeoverGroups = details.groups.filter((g) =>
    users.some((u) => partnerUnboundedNames.has(u.name) && (u.groups.includes(g.name) || u.groups.includes(g.arn))),
  );
  const takeoverPolicyArns = new Set<string>();
  for (const p of [...takeoverUsers, ...takeoverRoles, ...takeoverGroups])
    for (const a of p.attachedPolicies)
      if (!a.arn.startsWith('arn:aws:iam::aws:') && a.arn !== boundaryArn) takeoverPolicyArns.add(a.arn);

  const trails = evidence.cloudtrail?.trails.status === 'ok' ? evidence.cloudtrail.trails.data : [];
  const rules = evidence.eventbridge?.rules.status === 'ok' ? evidence.eventbridge.rules.data : [];
  const p = settings.protectedResources;
  const realTrails = trails
    .filter((t) => t.name === p.trailName || t.arn.endsWith(`:trail/${p.trailName}`))
    .map((t) => t.arn);
  const realRules = rules.filter((r) => r.name === p.monitorRuleName).map((r) => r.arn);
  const regions = [
    ...new Set([...realTrails, ...realRules].map((a) => a.split(':')[3]).filter((r): r is string => !!r)),
  ];
  const gov = governanceArns(settings, acct, regions.length ? regions : [DEFAULT_REGION]);
  const dist = distributorPrincipalArns(settings, acct);
  // The real distributor principals of this payer, and the collector and billing roles even if missing (recreating
  // them is as much tampering as deleting them).
  const distRoles = [
    ...new Set([
      ...roles.filter((r) => owned(r, 'role')).map((r) => r.arn),
      ...dist.roles.filter((a) => !a.endsWith('/payerguard-probe')),
    ]),
  ];
  const distUsers = [...new Set(users.filter((u) => owned(u, 'user')).map((u) => u.arn))];
  const pathMatch = /^arn:aws[\w-]*:iam::[^:]*:policy(\/.*\/|\/)([^/]+)$/.exec(boundaryArn);

  return {
    accountId: acct,
    settings,
    boundaryArn,
    boundaryPath: pathMatch?.[1] ?? settings.boundary.policyPath,
    boundaryName: pathMatch?.[2] ?? settings.boundary.policyName,
    // A boundary protects all fenced principals alike or names a few; a sample keeps large payers cheap.
    boundedUsers: users
      .filter(fenced)
      .map((u) => u.arn)
      .slice(0, MAX_FENCED_TARGETS),
    boundedRoles: roles
      .filter(fenced)
      .map((r) => r.arn)
      .slice(0, MAX_FENCED_TARGETS),
    unboundedRoles: roles
      .filter((r) => !fenced(r) && !isUnderPaths(r.arn, settings) && !RESERVED_SSO.test(r.path || '/'))
      .map((r) => r.arn),
    roleTrust: Object.fromEntries(roles.map((r) => [r.arn, trustOf(r.assumeRolePolicy, acct)])),
    resourceTags: Object.fromEntries(
      [...users, ...roles].filter((p) => p.tags && Object.keys(p.tags).length).map((p) => [p.arn, p.tags]),
    ),
    takeoverUsers: takeoverUsers.map((u) => ({
      arn: u.arn,
      ...(u.permissionsBoundaryArn ? { boundaryArn: u.permissionsBoundaryArn } : {}),
    })),
    takeoverRoles: takeoverRoles.map((r) => ({
      arn: r.arn,
      ...(r.permissionsBoundaryArn ? { boundaryArn: r.permissionsBoundaryArn } : {}),
    })),
    distributorRoles: distRoles,
    distributorUsers: distUsers,
    forgeableTags: boundaryDocs.flatMap((d) => resourceTagsIn(d)),
    attackerVariants: boundaryDocs
      .flatMap((d) => attackerVariants(d))
      .filter((v, i, all) => all.findIndex((x) => x.label === v.label) === i),
    otherNamedBoundaries: [...new Set(boundaryDocs.flatMap((d) => namedBoundariesIn(d, boundaryArn, acct)))],
    takeoverGroups: takeoverGroups.map((g) => g.arn),
    takeoverPolicies: [...takeoverPolicyArns],
    joinableGroups: partnerUnbounded.length
      ? details.groups.filter((g) => g.attachedPolicies.length || g.inlinePolicies.length).map((g) => g.arn)
      : [],
    partnerUnboundedUsers: partnerUnbounded.map((u) => u.arn),
    extraRoleArns: [...new Set(boundaryDocs.flatMap((d) => principalArnsIn(d, acct).roles))],
    extraUserArns: [...new Set(boundaryDocs.flatMap((d) => principalArnsIn(d, acct).users))],
    monitorRuleArns: realRules.length ? realRules : gov.monitorRuleArns,
    trailArns: realTrails.length ? realTrails : gov.trailArns,
    stackArns: gov.stackArns,
    regions: regions.length ? regions : [DEFAULT_REGION],
  };
}

/**
 * Every user and role of a payer, with its boundary status, IAM-administration capability and open escalation
 * paths. Principals with identical policies are analysed once. Throws when iam.authorizationDetails is not ok:
 * callers (controls) report unknown first.
 */
export function analyzePayer(
  evidence: PayerEvidence,
  settings: DistributorSettings,
  opts: { now?: Date } = {},
): PayerAnalysis {
  const started = performance.now();
  const before = simulationsRun();
  const call = evidence.iam?.authorizationDetails;
  if (call?.status !== 'ok') throw new Error('analyzePayer: iam.authorizationDetails was not collected');
  const details = normalizeDetails(call.data);
  const acct = evidence.payerAccountId;
  const boundaryArn = boundaryArnFor(settings, acct);
  const index = new PolicyIndex(details);
  const now = opts.now ?? new Date(evidence.collectedAt);
  const cache = new Map<string, AnalysisCore>();
  const effCache = new Map<string, EffectivePolicies>();
  const eff = (p: IamUser | IamRole) => {
    let e = effCache.get(p.arn);
    if (!e) {
      e = effectivePolicies(p, details, index);
      effCache.set(p.arn, e);
    }
    return e;
  };
  // Capability-only targets: enough to tell whether an unfenced principal is worth taking over.
  const capTargets = { accountId: acct, boundaryArn, settings } as PayerTargets;
  const powerful = (p: IamUser | IamRole, kind: 'user' | 'role') => {
    const e = eff(p);
    const core = analyzePrincipal(callerOf(p, kind, acct), e, capTargets, { withPaths: false, now, cache });
    return core.canAdministerIam || core.reachesProtected;
  };
  const targets = payerTargets(details, evidence, settings, powerful);

  const principals: PrincipalAnalysis[] = [];
  const all: [IamUser | IamRole, 'user' | 'role'][] = [
    ...details.users.map((u) => [u, 'user'] as [IamUser, 'user']),
    ...details.roles.map((r) => [r, 'role'] as [IamRole, 'role']),
  ];
  for (const [p, kind] of all) {
    const e = eff(p);
    const ownedBy = distributorOwnership(p, kind, settings);
    const owned = ownedBy !== undefined;
    const serviceLinked = kind === 'role' && isServiceLinkedPath(p.path || '/');
    const boundaryUnknown = !!p.permissionsBoundaryArn && !e.boundary;
    const analyzable = !owned && !serviceLinked && !boundaryUnknown;
    const caller = callerOf(p, kind, acct);
    const core = analyzePrincipal(caller, e, targets, { withPaths: analyzable, now, cache });
    // A policy we cannot read might grant anything: for fenced principals, look for open paths as if it did, so an
    // unreadable policy can never make a boundary look effective.
    const unresolvedIdentity = e.unresolved.filter((a) => a !== p.permissionsBoundaryArn);
    const worstCase = analyzable && unresolvedIdentity.length > 0;
    const paths = worstCase
      ? analyzePrincipal(
          caller,
          {
            ...e,
            identity: [
              ...e.identity,
              ...unresolvedIdentity.map((a) => ({ name: `unresolved ${a}`, document: ALLOW_ALL })),
            ],
          },
          targets,
          { now, cache },
        ).openPaths
      : core.openPaths;
    principals.push({
      arn: p.arn,
      name: p.name,
      kind,
      path: p.path || '/',
      isDistributorOwned: owned,
      ...(ownedBy ? { distributorOwnedBy: ownedBy } : {}),
      isServiceLinked: serviceLinked,
      canAdministerIam: core.canAdministerIam,
      ...(p.permissionsBoundaryArn ? { boundaryArn: p.permissionsBoundaryArn } : {}),
      hasDistributorBoundary: p.permissionsBoundaryArn === boundaryArn,
      openPaths: analyzable ? paths : [],
      analyzed: analyzable,
      assumedWorstCase: worstCase,
      unresolvedPolicies: e.unresolved,
      invalidPolicies: e.invalid,
    });
  }
  // The deployed boundary judged on its own, for a fenced administrator (AdministratorAccess) of this payer: what a
  // partner admin given the boundary tomorrow could do, even when nobody carries it yet.
  const deployed = details.policies.find((p) => p.arn === boundaryArn);
  const deployedDoc = deployed ? defaultVersionDocument(deployed) : undefined;
  let adminOpenPaths: OpenPath[] | null = null;
  if (deployedDoc && validatePolicyDocument(deployedDoc).length === 0) {
    const admin: Caller = {
      kind: 'user',
      arn: `arn:aws:iam::${acct}:user/payerguard-fenced-admin`,
      accountId: acct,
      name: 'payerguard-fenced-admin',
    };
    adminOpenPaths = analyzePrincipal(
      admin,
      {
        identity: [{ name: 'AdministratorAccess', document: ALLOW_ALL }],
        boundary: { name: deployed?.name ?? 'boundary', document: deployedDoc },
        unresolved: [],
        invalid: [],
      },
      targets,
      { now, cache },
    ).openPaths;
  }
  return {
    principals,
    boundaryArn,
    boundaryPresent: !!deployed,
    adminOpenPaths,
    stats: {
      principals: principals.length,
      distinctPolicySets: new Set([...cache.keys()].filter((k) => k.startsWith('full:'))).size,
      simulations: simulationsRun() - before,
      durationMs: Math.round(performance.now() - started),
    },
  };
}

const memo = new WeakMap<PayerEvidence, Map<string, PayerAnalysis>>();

/**
 * analyzePayer, memoised per evidence object and settings: the three boundary controls read the same analysis of
 * the same payer, and it should cost one.
 */
export function analyzePayerCached(evidence: PayerEvidence, settings: DistributorSettings): PayerAnalysis {
  let bySettings = memo.get(evidence);
  if (!bySettings) {
    bySettings = new Map();
    memo.set(evidence, bySettings);
  }
  const key = JSON.stringify(settings);
  let analysis = bySettings.get(key);
  if (!analysis) {
    analysis = analyzePayer(evidence, settings);
    bySettings.set(key, analysis);
  }
  return analysis;
}
