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
   * Whom each role trusts (payer analysis): a role is only passable to a service it trusts and only assumable when it
   * trusts the payer. Absent (a boundary judged on its own), every role is taken to trust everyone.
   */
  roleTrust?: Record<string, { account: boolean; services: string[] }>;
  /** Tags of users and roles, sent as aws:ResourceTag / iam:ResourceTag with requests on them. */
  resourceTags?: Record<string, Record<string, string>>;
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
  /**
   * Users and roles a partner admin could create where the boundary's own ARN patterns make exceptions (e.g. under
   * "/bounded/" or named "app-*"): creation probes try these besides the account root path.
   */
  extraRoleArns: string[];
  extraUserArns: string[];
  /** Request contexts an attacker can choose that the boundary's Deny conditions look at (see attackerVariants). */
  attackerVariants: ContextVariant[];
  /**
   * Policies other than itself that the boundary's `iam:PermissionsBoundary` conditions accept as a new principal's
   * boundary (see namedBoundariesIn). Unset: none.
   */
  otherNamedBoundaries?: string[];
  monitorRuleArns: string[];
  trailArns: string[];
  stackArns: string[];
  regions: string[];
}

export const DEFAULT_REGION = 'us-east-1';

/** A change of request context the caller can bring about: keys set, keys removed. */
export interface ContextVariant {
  label: string;
  set: Record<string, string | string[]>;
  remove: string[];
}

const FUTURE = new Date('2099-12-31T00:00:00Z');

/** Keys the variants below treat one by one (the network, the calling service, the region, MFA, time, user agent). */
const SPECIFIC_VARIANT_KEYS = new Set([
  'aws:sourceip',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:viaawsservice',
  'aws:calledvia',
  'aws:calledviafirst',
  'aws:calledvialast',
  'aws:requestedregion',
  'aws:multifactorauthpresent',
  'aws:multifactorauthage',
  'aws:currenttime',
  'aws:epochtime',
  'aws:useragent',
  'aws:referer',
]);

/**
 * Keys the caller cannot set in a request: who the caller is, what the resource is, which service acts on whose
 * behalf. iam:PermissionsBoundary and iam:PassedToService are set by the routes themselves (each route is one choice of
 * boundary or service; another boundary the condition names is its own method, create-principal-with-named-policy).
 */
const NOT_CHOSEN_BY_CALLER = [
  'aws:principal',
  'aws:userid',
  'aws:username',
  'aws:resource',
  'aws:source',
  'aws:tokenissuetime',
  'aws:federatedprovider',
  'aws:ec2instance',
  'iam:resourcetag/',
  'iam:permissionsboundary',
  'iam:passedtoservice',
  'iam:associatedresourcearn',
];

/** Bounds the simulations: each variant re-runs the routes the plain request could not open. */
const MAX_VARIANTS = 24;

/**
 * The request contexts a partner admin can choose, limited to the keys the boundary's Deny statements test: a Deny
 * that holds only from outside a network, only without MFA, only when called directly, only until a date, or only
 * for some user agents is no fence for someone who can pick the other side.
 */
export function attackerVariants(boundary: unknown): ContextVariant[] {
  const statements = (boundary as { Statement?: unknown })?.Statement;
  const keys = new Map<string, string[]>();
  // As written in the policy: tag keys in aws:RequestTag/<key> are case-sensitive.
  const names = new Map<string, string>();
  for (const st of Array.isArray(statements) ? statements : statements ? [statements] : []) {
    const s = st as { Effect?: string; Condition?: Record<string, Record<string, unknown>> };
    if (s?.Effect !== 'Deny' || !s.Condition || typeof s.Condition !== 'object') continue;
    for (const block of Object.values(s.Condition)) {
      if (!block || typeof block !== 'object') continue;
      for (const [k, v] of Object.entries(block)) {
        const values = (Array.isArray(v) ? v : [v]).map(String);
        keys.set(k.toLowerCase(), [...(keys.get(k.toLowerCase()) ?? []), ...values]);
        if (!names.has(k.toLowerCase())) names.set(k.toLowerCase(), k);
      }
    }
  }
  const out: ContextVariant[] = [];
  const has = (...ks: string[]) => ks.some((k) => keys.has(k));
  if (has('aws:sourceip', 'aws:sourcevpc', 'aws:sourcevpce')) {
    out.push({ label: 'from a private network address', set: { 'aws:SourceIp': '10.0.0.5' }, remove: [] });
    out.push({
      label: 'through a VPC endpoint in the payer',
      set: { 'aws:SourceVpc': 'vpc-0a1b2c3d4e5f60789', 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f60789' },
      remove: ['aws:SourceIp'],
    });
  }
  if (has('aws:viaawsservice', 'aws:calledvia', 'aws:calledviafirst', 'aws:calledvialast'))
    out.push({
      label: 'through CloudFormation',
      set: {
        'aws:ViaAWSService': 'true',
        'aws:CalledVia': ['cloudformation.amazonaws.com'],
        'aws:CalledViaFirst': 'cloudformation.amazonaws.com',
        'aws:CalledViaLast': 'cloudformation.amazonaws.com',
      },
      remove: [],
    });
  if (has('aws:requestedregion'))
    out.push({ label: 'in another region', set: { 'aws:RequestedRegion': 'eu-west-1' }, remove: [] });
  if (has('aws:multifactorauthpresent', 'aws:multifactorauthage'))
    out.push({
      label: 'with an access key (no MFA context)',
      set: {},
      remove: ['aws:MultiFactorAuthPresent', 'aws:MultiFactorAuthAge'],
    });
  if (has('aws:currenttime', 'aws:epochtime'))
    out.push({
      label: 'later',
      set: { 'aws:CurrentTime': FUTURE.toISOString(), 'aws:EpochTime': String(Math.floor(FUTURE.getTime() / 1000)) },
      remove: [],
    });
  // Every other value a Deny compares a key the caller controls against is a request the attacker will try.
  for (const [key, values] of keys) {
    if (SPECIFIC_VARIANT_KEYS.has(key) || NOT_CHOSEN_BY_CALLER.some((p) => key.startsWith(p))) continue;
    for (const v of new Set(values)) {
      if (out.length >= MAX_VARIANTS) break;
      const value = v.replace(/\*/g, 'x').replace(/\?/g, 'x');
      const name = names.get(key) ?? key;
      out.push({ label: `with ${name} = ${value}`, set: { [name]: value }, remove: [] });
    }
  }
  for (const key of ['aws:useragent', 'aws:referer']) {
    const name = key === 'aws:useragent' ? 'aws:UserAgent' : 'aws:Referer';
    for (const v of new Set(['payerguard-probe', ...(keys.get(key) ?? [])]))
      if (keys.has(key))
        out.push({
          label: `with ${name} ${v}`,
          set: { [name]: v.replace(/\*/g, 'x').replace(/\?/g, 'x') },
          remove: [],
        });
  }
  return out;
}

/**
 * The policies a boundary's `iam:PermissionsBoundary` conditions accept besides the boundary itself, as concrete ARNs
 * in this payer (a wildcard becomes one name it matches). A fenced admin can create principals fenced only by them.
 */
export function namedBoundariesIn(boundary: unknown, boundaryArn: string, accountId: string): string[] {
  const statements = (boundary as { Statement?: unknown })?.Statement;
  const out = new Set<string>();
  for (const st of Array.isArray(statements) ? statements : statements ? [statements] : []) {
    const cond = (st as { Condition?: Record<string, Record<string, unknown>> })?.Condition;
    if (!cond || typeof cond !== 'object') continue;
    for (const block of Object.values(cond)) {
      if (!block || typeof block !== 'object') continue;
      for (const [k, v] of Object.entries(block)) {
        if (k.toLowerCase() !== 'iam:permissionsboundary') continue;
        for (const raw of (Array.isArray(v) ? v : [v]).map(String)) {
          const arn = raw.replace(/\$\{aws:PrincipalAccount\}/gi, accountId).replace(/[*?]/g, 'payerguard-probe');
          if (/^arn:aws[\w-]*:iam::(\d{12}|aws):policy\//.test(arn) && arn !== boundaryArn) out.add(arn);
        }
      }
    }
  }
  return [...out];
}

const iamArn = (acct: string, kind: string, pathAndName: string) => `arn:aws:iam::${acct}:${kind}${pathAndName}`;
const withSlashes = (p: string) => (p.startsWith('/') ? p : `/${p}`).replace(/\/?$/, '/');

/**
 * Role and user ARNs of the distributor's governance principals: the collector and billing roles, and a principal
 * under each distributor path. (Other names in distributorPrincipals.names are protected when a payer has them.)
 */
export function distributorPrincipalArns(
  settings: DistributorSettings,
  accountId: string,
): { roles: string[]; users: string[] } {
  const names = [...new Set([settings.collectorRoleName, settings.billingRoleName])];
  const paths = settings.distributorPrincipals.paths.map(withSlashes);
  return {
    roles: [
      ...names.map((n) => iamArn(accountId, 'role/', n)),
      ...paths.map((p) => iamArn(accountId, 'role', `${p}payerguard-probe`)),
    ],
    users: paths.map((p) => iamArn(accountId, 'user', `${p}payerguard-probe`)),
  };
}

/**
 * Concrete user and role ARNs matching the patterns a boundary names ("role/bounded/*" -> "role/bounded/escalated"),
 * in this payer, so creation probes land where a boundary makes exceptions.
 */
export function principalArnsIn(boundary: unknown, accountId: string): { roles: string[]; users: string[] } {
  const text = JSON.stringify(boundary ?? {});
  const roles = new Set<string>();
  const users = new Set<string>();
  for (const m of text.matchAll(/arn:aws[\w*-]*:iam::([\d*?]*):(role|user)(\/[^"\s]*)/g)) {
    const acct = m[1] as string;
    if (acct !== accountId && !/^[*?]+$/.test(acct) && !/[*?]/.test(acct)) continue;
    const concrete = (m[3] as string)
      .replace(/\$\{[^}]*\}/g, 'escalated')
      .replace(/\*/g, 'escalated')
      .replace(/\?/g, 'x');
    const arn = `arn:aws:iam::${accountId}:${m[2]}${concrete.endsWith('/') ? `${concrete}escalated` : concrete}`;
    if (!/^arn:aws:iam::\d{12}:(role|user)(\/[\w+=,.@-]+)+$/.test(arn)) continue;
    (m[2] === 'role' ? roles : users).add(arn);
  }
  return { roles: [...roles], users: [...users] };
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
      (r) =>
        `arn:aws:cloudformation:${r}:${accountId}:stack/${p.governanceStackName}/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`,
    ),
  };
}

/** A payer as the boundary template sees it: only what settings say must exist. */
export function syntheticTargets(
  settings: DistributorSettings,
  accountId: string,
  boundaryArn: string,
  boundary?: unknown,
): PayerTargets {
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
    unboundedRoles: [
      iamArn(accountId, 'role/', 'partner-legacy-admin'),
      ...dist.roles.filter((r) => !isUnderPaths(r, settings)),
    ],
    takeoverUsers: dist.users.map((arn) => ({ arn })),
    takeoverRoles: dist.roles.map((arn) => ({ arn })),
    distributorRoles: dist.roles,
    distributorUsers: dist.users,
    // The distributor's principals carry the distributor tags (settings), as the onboarding template creates them.
    resourceTags: Object.fromEntries(
      [...dist.roles, ...dist.users].map((arn) => [
        arn,
        Object.fromEntries(settings.distributorPrincipals.tags.map((tg) => [tg.key, tg.value])),
      ]),
    ),
    forgeableTags: resourceTagsIn(boundary),
    attackerVariants: attackerVariants(boundary),
    otherNamedBoundaries: namedBoundariesIn(boundary, boundaryArn, accountId),
    takeoverGroups: [],
    takeoverPolicies: [],
    joinableGroups: [],
    partnerUnboundedUsers: [],
    ...(() => {
      const extra = principalArnsIn(boundary, accountId);
      return { extraRoleArns: extra.roles, extraUserArns: extra.users };
    })(),
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
