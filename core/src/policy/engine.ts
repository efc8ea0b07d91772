import { createRequire } from 'node:module';
import path from 'node:path';
import type { PolicyDocument } from '../evidence/types.js';
import {
  ACCOUNT_IN_ARN,
  ACCOUNT_TOKEN,
  boundaryVerdicts,
  count,
  crossPayerDecisions,
  hashOf,
  normalizeAccount,
  resetDecisionMemo,
} from './decision-memo.js';

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
  analyzePermissionBoundaryPolicies(
    boundaries: LoadedPolicy[] | undefined,
    request: unknown,
    parameters: unknown,
  ): { result: EvaluationResult } | undefined;
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

/**
 * iam-policy compares strings with `localeCompare(x, undefined, { sensitivity: 'accent' })`, which builds a new ICU
 * collator on every call: a third of all analysis time on a real estate. Same comparison, one collator, and a plain
 * fast path for ASCII (IAM names, actions, operators and ARNs are ASCII).
 */
function speedUpCaseInsensitiveCompare(utils: Record<string, unknown>): void {
  const collator = new Intl.Collator(undefined, { sensitivity: 'accent' });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the whole ASCII range on purpose
  const ascii = /^[\x00-\x7f]*$/;
  const equals = (a: string, b: string): boolean => {
    if (a === b) return true;
    if (ascii.test(a) && ascii.test(b)) return a.length === b.length && a.toLowerCase() === b.toLowerCase();
    return collator.compare(a, b) === 0;
  };
  utils.caseInsensitiveEquals = equals;
  utils.caseInsensitiveEndsWith = (value: string, suffix: string) => equals(value.slice(suffix.length * -1), suffix);
}

function loadInternals(): Internals {
  const core = require(path.join(cjsRoot, 'core_engine', 'CoreSimulatorEngine.js'));
  const req = require(path.join(cjsRoot, 'request', 'request.js'));
  const ctx = require(path.join(cjsRoot, 'requestContext.js'));
  const disc = require(path.join(cjsRoot, 'context_keys', 'discoveryContextKeyConstraints.js'));
  const index = require(simulateIndex);
  // The same copy of iam-policy that iam-simulate itself uses, so loaded policies are the objects it expects.
  const policy = fromSimulate('@cloud-copilot/iam-policy');
  speedUpCaseInsensitiveCompare(
    fromSimulate(path.join(path.dirname(fromSimulate.resolve('@cloud-copilot/iam-policy')), 'utils.js')),
  );
  const internals: Internals = {
    authorize: core.authorize,
    analyzePermissionBoundaryPolicies: core.analyzePermissionBoundaryPolicies,
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
/** Simulations run by this process so far (for throughput figures); a boundary-only analysis counts as one. */
export const simulationsRun = () => simulationCount;

let shortcuts = true;
/**
 * Turns the shortcuts off (every request simulated in full, cross-payer decisions keyed by principal, as analysis
 * worked before them): for the bench and the tests that compare.
 */
export function setPolicyShortcuts(on: boolean): void {
  shortcuts = on;
}
/** Forgets every cross-payer decision and boundary verdict (a fresh evaluation thread). */
export const resetPolicyMemo = resetDecisionMemo;

const TIME_KEYS = /CurrentTime|EpochTime/i;
/** Keys of a context that a document can read without naming them: policy variables. */
const POLICY_VARIABLE = /\$\{/;

function withoutTime(context: Record<string, string | string[]>): Record<string, string | string[]> {
  const { 'aws:CurrentTime': _t, 'aws:EpochTime': _e, ...rest } = context;
  return rest;
}

const STRICT = () => ({
  simulationMode: 'Strict',
  discoveryContextKeyConstraints: new lib.DiscoveryContextKeyConstraints([]),
});

/** Condition keys a document names (lower case), or null when it uses policy variables (any key may matter). */
function conditionKeysOf(doc: PolicyDocument): Set<string> | null {
  if (POLICY_VARIABLE.test(JSON.stringify(doc))) return null;
  const keys = new Set<string>();
  const statements = (doc as { Statement?: unknown }).Statement;
  for (const st of Array.isArray(statements) ? statements : [statements]) {
    const cond = (st as { Condition?: Record<string, Record<string, unknown>> } | null)?.Condition;
    for (const block of Object.values(cond ?? {})) for (const k of Object.keys(block ?? {})) keys.add(k.toLowerCase());
  }
  return keys;
}

/** The context entries whose keys are in `keys` (lower case), in a stable order. */
function namedContext(context: Record<string, string | string[]>, keys: Set<string>): [string, string | string[]][] {
  return Object.entries(context)
    .filter(([k]) => keys.has(k.toLowerCase()))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * One principal's policies, loaded once and evaluated many times. Documents must already be valid
 * (validatePolicyDocument); an invalid one throws here.
 */
export class PolicySet {
  private readonly identity: LoadedPolicy[];
  private readonly boundary: LoadedPolicy[] | undefined;
  // Escalation routes share steps (the same RunInstances after each PassRole): decide each distinct request once.
  private readonly decided = new Map<string, SimulationOutcome>();

  private readonly docsJson: string;
  private readonly timeSensitive: boolean;
  /** Condition keys any of the documents names, or null when one uses policy variables. */
  private readonly namedKeys: Set<string> | null;
  private readonly docsKeyByAccount = new Map<string, string | null>();
  private readonly boundaryJson: string | undefined;
  private readonly boundaryKeys: Set<string> | null | undefined;
  private readonly boundaryKeyByAccount = new Map<string, string | null>();

  constructor(identity: NamedPolicy[], boundary: NamedPolicy | null) {
    this.identity = identity.map((p) => lib.loadPolicy(p.document, { name: p.name }));
    this.boundary = boundary ? [lib.loadPolicy(boundary.document, { name: boundary.name })] : undefined;
    this.docsJson = JSON.stringify([
      identity.map((p) => [p.name, p.document]),
      boundary ? [boundary.name, boundary.document] : null,
    ]);
    this.timeSensitive = TIME_KEYS.test(this.docsJson);
    const named = [...identity, ...(boundary ? [boundary] : [])].map((p) => conditionKeysOf(p.document));
    this.namedKeys = named.some((k) => k === null) ? null : new Set(named.flatMap((k) => [...(k ?? [])]));
    if (boundary) {
      this.boundaryJson = JSON.stringify([boundary.name, boundary.document]);
      this.boundaryKeys = conditionKeysOf(boundary.document);
    }
  }

  /**
   * Whether the request is Allowed: simulate(req).result === 'Allowed', decided without simulating the identity
   * policies when the boundary alone denies the request (decision-memo.ts, 1).
   */
  allows(req: ProbeRequest): boolean {
    return this.simulateUnlessBoundaryDenies(req)?.result === 'Allowed';
  }

  /**
   * simulate(req), or null when the boundary alone denies the request: the request is then denied for these
   * policies whatever they say, and its deciding statements were not worked out.
   */
  simulateUnlessBoundaryDenies(req: ProbeRequest): SimulationOutcome | null {
    const key = this.requestKey(req);
    const known = this.decided.get(key);
    if (known) return known;
    // sts:GetCallerIdentity is allowed to every signed-in caller whatever its policies: no shortcut there.
    if (
      shortcuts &&
      this.boundary &&
      req.action.toLowerCase() !== 'sts:getcalleridentity' &&
      !this.boundaryLetsThrough(req)
    ) {
      count('boundaryDenied');
      return null;
    }
    return this.simulateKeyed(req, key);
  }

  simulate(req: ProbeRequest): SimulationOutcome {
    return this.decided.get(this.requestKey(req)) ?? this.simulateKeyed(req, this.requestKey(req));
  }

  private simulateKeyed(req: ProbeRequest, key: string): SimulationOutcome {
    const cross = this.crossPayerKey(req);
    const hit = cross && crossPayerDecisions.get(cross.key);
    const outcome = hit
      ? (JSON.parse(hit.replaceAll(ACCOUNT_TOKEN, cross.account)) as SimulationOutcome)
      : this.evaluate(req);
    if (cross && !hit)
      crossPayerDecisions.set(cross.key, JSON.stringify(outcome).replaceAll(cross.account, ACCOUNT_TOKEN));
    this.decided.set(key, outcome);
    return outcome;
  }

  private requestKey(req: ProbeRequest): string {
    return JSON.stringify([
      req.principal,
      req.action,
      req.resource,
      req.resourceAccount,
      req.wildcardOnly ?? null,
      req.context,
    ]);
  }

  /**
   * Payers of one distributor carry the same boundary and the same handful of partner policies, differing only in
   * their account id. A decision is a pure function of (policies, request), so with the payer's account id replaced by
   * a token it is shared across payers: the key names every policy, statement and context value that could matter
   * (the context keys the documents name, or all of them and the principal when a document uses policy variables).
   * Not shared when the account id is not a plain token in them (decision-memo.ts), or when policies read the clock
   * (the request time then matters).
   */
  private crossPayerKey(req: ProbeRequest): { key: string; account: string } | undefined {
    const account = ACCOUNT_IN_ARN.exec(req.principal)?.[1];
    if (!account) return undefined;
    let docsKey = this.docsKeyByAccount.get(account);
    if (docsKey === undefined) {
      const normalized = normalizeAccount(this.docsJson, account);
      docsKey = normalized === undefined ? null : hashOf(normalized);
      this.docsKeyByAccount.set(account, docsKey);
    }
    if (docsKey === null) return undefined;
    // Documents that name no principal key and use no variable decide alike for every principal of the account.
    const keys = shortcuts ? this.namedKeys : null;
    const who = keys ? req.principal.replace(/\/.*$/, '') : req.principal;
    const context = keys
      ? namedContext(req.context, keys)
      : this.timeSensitive
        ? req.context
        : withoutTime(req.context);
    const requestJson = normalizeAccount(
      JSON.stringify([who, req.action, req.resource, req.resourceAccount, req.wildcardOnly ?? null, context]),
      account,
    );
    return requestJson === undefined ? undefined : { key: `${docsKey}\u0000${requestJson}`, account };
  }

  /**
   * Whether the boundary alone lets the request through, remembered for the whole estate. The boundary's analysis
   * reads the action, the resource and the context keys its conditions name (all keys when it has policy variables),
   * never the principal, so the key holds just those, with the payer's account id as a token.
   */
  private boundaryLetsThrough(req: ProbeRequest): boolean {
    const account = ACCOUNT_IN_ARN.exec(req.principal)?.[1] ?? req.resourceAccount;
    let docKey = this.boundaryKeyByAccount.get(account);
    if (docKey === undefined) {
      const normalized = normalizeAccount(this.boundaryJson as string, account);
      docKey = normalized === undefined ? null : hashOf(normalized).slice(0, 32);
      this.boundaryKeyByAccount.set(account, docKey);
    }
    const keys = this.boundaryKeys;
    const context = keys ? namedContext(req.context, keys) : req.context;
    const requestJson =
      docKey === null
        ? undefined
        : normalizeAccount(
            JSON.stringify([req.action, req.resource, req.resourceAccount, req.wildcardOnly ?? null, context]),
            account,
          );
    const key = requestJson === undefined ? undefined : `${docKey}\u0000${requestJson}`;
    const known = key === undefined ? undefined : boundaryVerdicts.get(key);
    if (known !== undefined) return known;
    simulationCount++;
    count('boundaryAnalyses');
    const analysis = lib.analyzePermissionBoundaryPolicies(this.boundary, this.toRequest(req), STRICT());
    const through = analysis?.result === 'Allowed';
    if (key !== undefined) boundaryVerdicts.set(key, through);
    return through;
  }

  private toRequest(req: ProbeRequest): unknown {
    return new lib.AwsRequestImpl(
      req.principal,
      { resource: req.resource, accountId: req.resourceAccount },
      req.action,
      new lib.RequestContextImpl(req.context),
      req.wildcardOnly ?? req.resource === '*',
    );
  }

  private evaluate(req: ProbeRequest): SimulationOutcome {
    simulationCount++;
    count('fullSimulations');
    const analysis = lib.authorize({
      request: this.toRequest(req),
      sessionPolicy: undefined,
      identityPolicies: this.identity,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: undefined,
      permissionBoundaries: this.boundary,
      vpcEndpointPolicies: undefined,
      simulationParameters: STRICT(),
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
