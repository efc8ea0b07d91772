import type { PolicyDocument } from '../evidence/types.js';
import { type DistributorSettings, defaultSettings } from '../settings.js';
import { type NamedPolicy, PolicySet, simulationsRun, validatePolicyDocument } from './engine.js';
import { ESCALATION_METHODS } from './escalation-methods.js';
import { type Caller, evaluateMethod, type OpenPath, requestFor } from './probe.js';
import { syntheticTargets } from './targets.js';

/** A boundary, ARN or identity policy the check cannot work with: the message says which and why. */
export class PolicyInputError extends Error {
  override name = 'PolicyInputError';
}

export interface BoundaryCheck {
  /** The escalation method or protection id from the catalogue (escalation-methods.ts). */
  id: string;
  title: string;
  kind: 'escalation' | 'protection';
  status: 'pass' | 'fail';
  /** For a failure, names the exact action left open, the resource and who can use it. */
  detail: string;
  action?: string;
  resource?: string;
  open?: OpenPath[];
  /** The statements that denied the routes tried (for a pass, what does the work). */
  deniedBy?: string[];
}

export interface BoundaryCheckResult {
  /** True when every check passes: no escape and no protected resource within reach. */
  effective: boolean;
  boundaryArn: string;
  accountId: string;
  /** Whether a fenced admin can still do ordinary work (create a fenced role, run an instance): informational. */
  allowsAdministration: boolean;
  checks: BoundaryCheck[];
  simulations: number;
  durationMs: number;
}

export interface CheckBoundaryInput {
  boundary: unknown;
  boundaryArn: string;
  /** Identity policies of the fenced admin; AdministratorAccess when absent or empty. */
  identityPolicies?: (PolicyDocument | NamedPolicy)[];
  settings?: DistributorSettings;
  now?: Date;
}

export const ADMINISTRATOR_ACCESS: NamedPolicy = {
  name: 'AdministratorAccess',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

const POLICY_ARN_RE = /^arn:aws[a-z-]*:iam::(\d{12}):policy(\/[\w+=,.@/-]*)?\/[\w+=,.@-]+$/;

export function parseBoundaryArn(arn: string): { accountId: string } {
  const m = POLICY_ARN_RE.exec(arn.trim());
  if (!m)
    throw new PolicyInputError(
      `boundary ARN "${arn}" is not a customer-managed policy ARN (arn:aws:iam::<12 digits>:policy/<path/>name)`,
    );
  return { accountId: m[1] as string };
}

function asNamed(p: PolicyDocument | NamedPolicy, i: number): NamedPolicy {
  const maybe = p as Partial<NamedPolicy>;
  if (typeof maybe.name === 'string' && maybe.document && typeof maybe.document === 'object')
    return maybe as NamedPolicy;
  return { name: `identity-policy-${i + 1}`, document: p as PolicyDocument };
}

export function assertPolicy(doc: unknown, what: string): void {
  const problems = validatePolicyDocument(doc);
  if (problems.length)
    throw new PolicyInputError(`${what} is not a valid IAM policy: ${problems.slice(0, 3).join('; ')}`);
}

/**
 * Principals a fenced admin can create, with the boundary, that the boundary's own conditions treat differently: a
 * name its ARN patterns single out (aws:PrincipalArn "role/ci-*") or a tag its aws:PrincipalTag conditions test.
 * Acting as such a principal is one step away, so every check runs for them too.
 */
function derivedCallers(
  policies: PolicySet,
  targets: ReturnType<typeof syntheticTargets>,
  boundary: unknown,
  boundaryArn: string,
  accountId: string,
  now: Date,
): Caller[] {
  // Only a boundary that looks at who is calling treats a new principal differently from the admin who made it.
  if (!/aws:(PrincipalArn|PrincipalTag|username|userid|PrincipalType)|\$\{/i.test(JSON.stringify(boundary ?? {})))
    return [];
  const admin = callersFor(accountId)[0] as Caller;
  const canCreate = (action: string, arn: string, tags: Record<string, string> = {}) =>
    policies.simulate(
      requestFor(
        admin,
        {
          action,
          resource: arn,
          context: {
            'iam:PermissionsBoundary': boundaryArn,
            ...(Object.keys(tags).length
              ? {
                  'aws:TagKeys': Object.keys(tags),
                  ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
                }
              : {}),
          },
        },
        now,
      ),
    ).result === 'Allowed' &&
    (!Object.keys(tags).length ||
      policies.simulate(
        requestFor(
          admin,
          {
            action: action === 'iam:CreateRole' ? 'iam:TagRole' : 'iam:TagUser',
            resource: arn,
            context: {
              'aws:TagKeys': Object.keys(tags),
              ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
            },
          },
          now,
        ),
      ).result === 'Allowed');
  const out: Caller[] = [];
  const nameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
  for (const arn of targets.extraRoleArns)
    if (canCreate('iam:CreateRole', arn))
      out.push({ kind: 'role', arn, accountId, name: nameOf(arn), id: 'AROADERIVEDPROBE' });
  for (const arn of targets.extraUserArns)
    if (canCreate('iam:CreateUser', arn))
      out.push({ kind: 'user', arn, accountId, name: nameOf(arn), id: 'AIDADERIVEDPROBE' });
  for (const { key, value } of principalTagsIn(boundary)) {
    const arn = `arn:aws:iam::${accountId}:role/tagged-escalated`;
    if (canCreate('iam:CreateRole', arn, { [key]: value }))
      out.push({
        kind: 'role',
        arn,
        accountId,
        name: `tagged-escalated (${key}=${value})`,
        id: 'AROADERIVEDPROBE',
        tags: { [key]: value },
      });
  }
  return out.slice(0, 6);
}

/** aws:PrincipalTag keys and values a boundary's conditions test (wildcards made concrete). */
function principalTagsIn(boundary: unknown): { key: string; value: string }[] {
  const out = new Map<string, { key: string; value: string }>();
  const text = JSON.stringify(boundary ?? {});
  const statements = (boundary as { Statement?: unknown })?.Statement;
  if (!/PrincipalTag\//i.test(text)) return [];
  for (const st of Array.isArray(statements) ? statements : [statements]) {
    const cond = (st as { Condition?: Record<string, Record<string, unknown>> } | null)?.Condition ?? {};
    for (const [op, block] of Object.entries(cond))
      for (const [k, v] of Object.entries(block ?? {})) {
        const m = /^aws:PrincipalTag\/(.+)$/i.exec(k);
        if (!m) continue;
        for (const raw of /^Null$/i.test(op) ? ['true'] : (Array.isArray(v) ? v : [v]).map(String)) {
          const value = raw.replace(/[*?]/g, 'x');
          out.set(`${m[1]}=${value}`, { key: m[1] as string, value });
        }
      }
  }
  return [...out.values()];
}

const callersFor = (accountId: string): Caller[] => [
  {
    kind: 'user',
    arn: `arn:aws:iam::${accountId}:user/partner-admin`,
    accountId,
    name: 'partner-admin',
    id: 'AIDAPARTNERADMIN',
  },
  {
    kind: 'role',
    arn: `arn:aws:iam::${accountId}:role/PartnerAdmin`,
    accountId,
    name: 'PartnerAdmin',
    id: 'AROAPARTNERADMIN',
  },
];

function describeOpen(p: OpenPath, caller: Caller): string {
  const ctx = p.context?.['iam:PermissionsBoundary'];
  const withPb =
    p.action.endsWith('PermissionsBoundary') || p.action === 'iam:CreateUser' || p.action === 'iam:CreateRole'
      ? ctx
        ? ` with iam:PermissionsBoundary=${ctx}`
        : p.action.startsWith('iam:Create')
          ? ' with no permissions boundary'
          : ''
      : '';
  const via = p.steps.length > 1 ? ` (route: ${p.steps.map((s) => s.action).join(' then ')})` : '';
  const by = p.decidingStatements.length ? `; allowed by ${p.decidingStatements.join(', ')}` : '';
  return `${p.action} on ${p.resource}${withPb} is allowed for ${caller.kind} ${caller.name}${via}${by}. ${p.explanation}`;
}

/**
 * Checks a boundary document against every escalation method and protection in the catalogue, as the distributor's
 * settings describe the payer. Throws PolicyInputError for a document or ARN it cannot use.
 */
export function checkBoundary(input: CheckBoundaryInput): BoundaryCheckResult {
  const started = performance.now();
  const before = simulationsRun();
  const settings = input.settings ?? defaultSettings();
  const { accountId } = parseBoundaryArn(input.boundaryArn);
  assertPolicy(input.boundary, 'the boundary');
  const identity = (input.identityPolicies?.length ? input.identityPolicies : [ADMINISTRATOR_ACCESS]).map(asNamed);
  for (const [i, p] of identity.entries()) assertPolicy(p.document, `identity policy ${i + 1} (${p.name})`);

  const boundaryName = input.boundaryArn.slice(input.boundaryArn.lastIndexOf('/') + 1);
  const policies = new PolicySet(identity, { name: boundaryName, document: input.boundary as PolicyDocument });
  const targets = syntheticTargets(settings, accountId, input.boundaryArn.trim(), input.boundary);
  const now = input.now ?? new Date();
  const callers = [
    ...callersFor(accountId),
    ...derivedCallers(policies, targets, input.boundary, input.boundaryArn.trim(), accountId, now),
  ];

  const checks: BoundaryCheck[] = [];
  for (const method of ESCALATION_METHODS) {
    const routes = method.routes(targets);
    if (routes.length === 0) {
      if (method.kind === 'protection')
        checks.push({
          id: method.id,
          title: method.title,
          kind: method.kind,
          status: 'pass',
          detail: 'Nothing to protect: the settings name no such resource.',
        });
      continue;
    }
    let failure: { path: OpenPath; caller: Caller; all: OpenPath[] } | undefined;
    const deniedBy = new Set<string>();
    for (const caller of callers) {
      const outcome = evaluateMethod(method, policies, caller, targets, { now, routes });
      for (const d of outcome.deniedBy) deniedBy.add(d);
      if (outcome.open.length && !failure) failure = { path: outcome.open[0] as OpenPath, caller, all: outcome.open };
      if (failure) break;
    }
    if (failure) {
      checks.push({
        id: method.id,
        title: method.title,
        kind: method.kind,
        status: 'fail',
        detail: describeOpen(failure.path, failure.caller),
        action: failure.path.action,
        resource: failure.path.resource,
        open: failure.all,
      });
    } else {
      checks.push({
        id: method.id,
        title: method.title,
        kind: method.kind,
        status: 'pass',
        detail: `Denied on all ${routes.length * callers.length} routes tried (${[...new Set(routes.flatMap((r) => r.steps.map((s) => s.action)))].join(', ')}); by ${[...deniedBy].join(', ') || 'no statement'}.`,
        deniedBy: [...deniedBy],
      });
    }
  }

  const user = callers[0] as Caller;
  const ordinaryWork = [
    {
      action: 'iam:CreateRole',
      resource: `arn:aws:iam::${accountId}:role/partner-app`,
      context: { 'iam:PermissionsBoundary': input.boundaryArn.trim() },
    },
    { action: 'ec2:RunInstances', resource: `arn:aws:ec2:us-east-1:${accountId}:instance/i-0partnerwork000` },
  ];
  const allowsAdministration = ordinaryWork.every(
    (s) => policies.simulate(requestFor(user, s, now)).result === 'Allowed',
  );

  return {
    effective: checks.every((c) => c.status === 'pass'),
    boundaryArn: input.boundaryArn.trim(),
    accountId,
    allowsAdministration,
    checks,
    simulations: simulationsRun() - before,
    durationMs: Math.round(performance.now() - started),
  };
}
