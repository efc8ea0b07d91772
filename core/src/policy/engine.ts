import { createRequire } from 'node:module';
import path from 'node:path';
import type { PolicyDocument } from '../evidence/types.js';

/**
 * A synchronous front to @cloud-copilot/iam-simulate's evaluation core.
 *
 * The library's public `runSimulation` is async only because it looks up action and context-key metadata lazily;
 * the evaluation itself (`authorize`) is synchronous. Controls are pure synchronous functions (controls/types.ts), so
 * we call `authorize` directly, the way the library's own `runUnsafeSimulation` does, but keep the RequestAnalysis so
 * getDenialReasons / getGrantReasons can name the deciding statements. The price: we must supply what runSimulation
 * would have worked out (which context keys apply, whether an action is wildcard-only). Probes are built to do that,
 * and engine.test.ts checks this engine against runSimulation on every probe of the catalogue.
 *
 * The library's package exports only its index, so the internals are loaded from its CommonJS build by file path.
 * The version is pinned exactly in core/package.json; a change of layout fails loudly here at import.
 */
const require = createRequire(import.meta.url);
const simulateIndex = require.resolve('@cloud-copilot/iam-simulate');
const cjsRoot = path.dirname(simulateIndex);
const fromSimulate = createRequire(simulateIndex);

type EvaluationResult = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
interface RequestAnalysisLike {
  result: EvaluationResult;
}
interface LoadedPolicy {
  readonly __loaded: unique symbol;
}
interface Internals {
  authorize(request: unknown): RequestAnalysisLike;
  AwsRequestImpl: new (
    principal: string,
    resource: { resource: string; accountId: string },
    action: string,
    context: unknown,
    wildcardOnlyAction?: boolean,
  ) => unknown;
  RequestContextImpl: new (values: Record<string, string | string[]>) => unknown;
  DiscoveryContextKeyConstraints: new (c: unknown[]) => unknown;
  loadPolicy(doc: unknown, meta: { name: string }): LoadedPolicy;
  getDenialReasons(a: RequestAnalysisLike): RawDenial[];
  getGrantReasons(a: RequestAnalysisLike): RawGrant[];
  validateIdentityPolicy(doc: unknown): { path: string; message: string }[];
}
interface RawDenial {
  policyType: string;
  denialType: 'Implicit' | 'Explicit';
  policyIdentifier?: string;
  identifier?: string;
  statementId?: string;
  statementIndex?: number;
}
interface RawGrant {
  policyType: string;
  policyIdentifier?: string;
  statementId?: string;
  statementIndex: number;
}

function loadInternals(): Internals {
  const core = require(path.join(cjsRoot, 'core_engine', 'CoreSimulatorEngine.js'));
  const req = require(path.join(cjsRoot, 'request', 'request.js'));
  const ctx = require(path.join(cjsRoot, 'requestContext.js'));
  const disc = require(path.join(cjsRoot, 'context_keys', 'discoveryContextKeyConstraints.js'));
  const index = require(simulateIndex);
  // The same copy of iam-policy that iam-simulate itself uses, so loaded policies are the objects it expects.
  const policy = fromSimulate('@cloud-copilot/iam-policy');
  const internals: Internals = {
    authorize: core.authorize,
    AwsRequestImpl: req.AwsRequestImpl,
    RequestContextImpl: ctx.RequestContextImpl,
    DiscoveryContextKeyConstraints: disc.DiscoveryContextKeyConstraints,
    loadPolicy: policy.loadPolicy,
    getDenialReasons: index.getDenialReasons,
    getGrantReasons: index.getGrantReasons,
    validateIdentityPolicy: policy.validateIdentityPolicy,
  };
  for (const [k, v] of Object.entries(internals)) {
    if (typeof v !== 'function')
      throw new Error(`@cloud-copilot/iam-simulate: internal "${k}" not found (version changed?)`);
  }
  return internals;
}

const lib = loadInternals();

export type Decision = EvaluationResult;

/** A policy statement that decided a request: "boundary DenyUnboundedPrincipals" or "identity AdministratorAccess #1". */
export interface DecidingStatement {
  policyType: 'identity' | 'boundary' | 'resource' | 'scp' | 'rcp' | 'other';
  effect: 'Allow' | 'Deny' | 'ImplicitDeny';
  policy?: string;
  sid?: string;
  statementIndex?: number;
}

export interface SimulationOutcome {
  result: Decision;
  deciding: DecidingStatement[];
}

export interface NamedPolicy {
  name: string;
  document: PolicyDocument;
}

export interface ProbeRequest {
  /** The caller: a user ARN, or an assumed-role session ARN. */
  principal: string;
  action: string;
  /** A concrete ARN, or "*" for actions that take no resource (wildcardOnly). */
  resource: string;
  /** Account that owns the resource (for "*", the caller's). */
  resourceAccount: string;
  /** Context keys that apply to this action; global keys are added by the caller (see requestContext). */
  context: Record<string, string | string[]>;
  wildcardOnly?: boolean;
}

/** Problems that make a document unusable as an IAM identity policy or boundary; [] when it is valid. */
export function validatePolicyDocument(doc: unknown): string[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return ['the policy must be a JSON object'];
  const d = doc as Record<string, unknown>;
  if (!('Statement' in d)) return ['the policy has no "Statement"'];
  let problems: string[];
  try {
    problems = lib.validateIdentityPolicy(doc).map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
  } catch (e) {
    return [`not an IAM policy: ${(e as Error).message}`];
  }
  if (d.Version !== undefined && d.Version !== '2012-10-17' && d.Version !== '2008-10-17')
    problems.push(`Version: "${String(d.Version)}" is not 2012-10-17 or 2008-10-17`);
  // IAM refuses a policy with an unknown condition operator; the validator does not check operator names.
  const statements = Array.isArray(d.Statement) ? d.Statement : [d.Statement];
  statements.forEach((s, i) => {
    const cond = (s as { Condition?: unknown } | null)?.Condition;
    if (!cond || typeof cond !== 'object') return;
    for (const op of Object.keys(cond)) {
      const base = op.replace(/^(ForAllValues|ForAnyValue):/i, '').replace(/IfExists$/i, '');
      if (!CONDITION_OPERATORS.has(base.toLowerCase()) || (/^null$/i.test(base) && base !== op))
        problems.push(`Statement[${i}].Condition: unknown condition operator "${op}"`);
    }
  });
  return problems;
}

const CONDITION_OPERATORS = new Set(
  [
    'StringEquals',
    'StringNotEquals',
    'StringEqualsIgnoreCase',
    'StringNotEqualsIgnoreCase',
    'StringLike',
    'StringNotLike',
    'NumericEquals',
    'NumericNotEquals',
    'NumericLessThan',
    'NumericLessThanEquals',
    'NumericGreaterThan',
    'NumericGreaterThanEquals',
    'DateEquals',
    'DateNotEquals',
    'DateLessThan',
    'DateLessThanEquals',
    'DateGreaterThan',
    'DateGreaterThanEquals',
    'Bool',
    'BinaryEquals',
    'IpAddress',
    'NotIpAddress',
    'ArnEquals',
    'ArnLike',
    'ArnNotEquals',
    'ArnNotLike',
    'Null',
  ].map((o) => o.toLowerCase()),
);

const mapType = (t: string): DecidingStatement['policyType'] =>
  t === 'pb' ? 'boundary' : t === 'identity' || t === 'resource' || t === 'scp' || t === 'rcp' ? t : 'other';

let simulationCount = 0;
/** Simulations run by this process so far (for throughput figures). */
export const simulationsRun = () => simulationCount;

/**
 * One principal's policies, loaded once and evaluated many times. Documents must already be valid
 * (validatePolicyDocument); an invalid one throws here.
 */
export class PolicySet {
  private readonly identity: LoadedPolicy[];
  private readonly boundary: LoadedPolicy[] | undefined;
  // Escalation routes share steps (the same RunInstances after each PassRole): decide each distinct request once.
  private readonly decided = new Map<string, SimulationOutcome>();

  constructor(identity: NamedPolicy[], boundary: NamedPolicy | null) {
    this.identity = identity.map((p) => lib.loadPolicy(p.document, { name: p.name }));
    this.boundary = boundary ? [lib.loadPolicy(boundary.document, { name: boundary.name })] : undefined;
  }

  simulate(req: ProbeRequest): SimulationOutcome {
    const key = JSON.stringify([
      req.principal,
      req.action,
      req.resource,
      req.resourceAccount,
      req.wildcardOnly ?? null,
      req.context,
    ]);
    const known = this.decided.get(key);
    if (known) return known;
    const outcome = this.evaluate(req);
    this.decided.set(key, outcome);
    return outcome;
  }

  private evaluate(req: ProbeRequest): SimulationOutcome {
    simulationCount++;
    const request = new lib.AwsRequestImpl(
      req.principal,
      { resource: req.resource, accountId: req.resourceAccount },
      req.action,
      new lib.RequestContextImpl(req.context),
      req.wildcardOnly ?? req.resource === '*',
    );
    const analysis = lib.authorize({
      request,
      sessionPolicy: undefined,
      identityPolicies: this.identity,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: undefined,
      permissionBoundaries: this.boundary,
      vpcEndpointPolicies: undefined,
      simulationParameters: {
        simulationMode: 'Strict',
        discoveryContextKeyConstraints: new lib.DiscoveryContextKeyConstraints([]),
      },
      serviceSettings: { s3: { blockPublicAccess: undefined } },
    });
    const result = analysis.result;
    const deciding: DecidingStatement[] =
      result === 'Allowed'
        ? lib.getGrantReasons(analysis).map((g) => ({
            policyType: mapType(g.policyType),
            effect: 'Allow' as const,
            policy: g.policyIdentifier,
            sid: g.statementId,
            statementIndex: g.statementIndex,
          }))
        : lib.getDenialReasons(analysis).map((d) => ({
            policyType: mapType(d.policyType),
            effect: d.denialType === 'Explicit' ? ('Deny' as const) : ('ImplicitDeny' as const),
            policy: d.policyIdentifier ?? d.identifier,
            sid: d.statementId,
            statementIndex: d.statementIndex,
          }));
    return { result, deciding };
  }
}

/** "boundary DistributorPartnerBoundary / DenyUnboundedPrincipals" style labels for findings and CLI output. */
export function describeDeciding(d: DecidingStatement): string {
  const where =
    d.policyType === 'boundary' ? 'boundary' : d.policyType === 'identity' ? 'identity policy' : d.policyType;
  const stmt = d.sid
    ? `statement "${d.sid}"`
    : d.statementIndex
      ? `statement #${d.statementIndex}`
      : 'no matching Allow';
  return `${where}${d.policy ? ` ${d.policy}` : ''}: ${d.effect === 'ImplicitDeny' ? 'implicit deny' : stmt}`;
}
