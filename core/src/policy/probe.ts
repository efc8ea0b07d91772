import { type DecidingStatement, describeDeciding, type PolicySet, type ProbeRequest } from './engine.js';
import type { EscalationMethod, ProbeStep, Route } from './escalation-methods.js';
import { actionInfo, applicableContext } from './iam-data.js';
import type { ContextVariant, PayerTargets } from './targets.js';

/** Who makes the probing requests: a fenced user, or a session of a fenced role. */
export interface Caller {
  kind: 'user' | 'role';
  /** The user or role ARN (aws:PrincipalArn). */
  arn: string;
  accountId: string;
  name: string;
  /** userId / roleId when known (aws:userid). */
  id?: string;
  tags?: Record<string, string>;
}

/** An escalation route the simulator allowed end to end. */
export interface OpenPath {
  methodId: string;
  title: string;
  /** The action left open, exactly as IAM names it (e.g. "iam:CreateRole"). */
  action: string;
  resource: string;
  /** Context the request carried when it mattered (e.g. iam:PermissionsBoundary absent or another ARN). */
  context?: Record<string, string | string[]>;
  explanation: string;
  /** The statements that allowed the reported action ("boundary X: statement \"AllowAll\"", ...). */
  decidingStatements: string[];
  /** Set when the path opens only for a request context the caller chooses (e.g. "through CloudFormation"). */
  requestContext?: string;
  /** Every step of the route, in order (e.g. iam:PassRole then ec2:RunInstances). */
  steps: { action: string; resource: string }[];
}

export interface MethodOutcome {
  open: OpenPath[];
  /** How many routes were tried and how many were denied, with the statements that denied them. */
  routes: number;
  deniedBy: string[];
}

const arnField = (arn: string, i: number) => (arn.startsWith('arn:') ? (arn.split(':')[i] ?? '') : '');

/** The request an AWS API call would make, with the global keys AWS puts in every signed request. */
/** Services AWS serves from one region: their requests always carry us-east-1. */
const GLOBAL_SERVICES = new Set([
  'iam',
  'ce',
  'aws-portal',
  'billing',
  'organizations',
  'account',
  'cur',
  'invoicing',
  'consolidatedbilling',
]);

export function requestFor(caller: Caller, step: ProbeStep, now: Date, variant?: ContextVariant): ProbeRequest {
  const info = actionInfo(step.action);
  const wildcardOnly = (info?.wildcardOnly ?? false) || step.resource === '*';
  const resource = wildcardOnly ? '*' : step.resource;
  const resourceAccount = (resource !== '*' && arnField(resource, 4)) || caller.accountId;
  const region = (resource !== '*' && arnField(resource, 3)) || 'us-east-1';
  const principal =
    caller.kind === 'user'
      ? caller.arn
      : `arn:aws:sts::${caller.accountId}:assumed-role/${caller.name}/payerguard-probe`;
  const global: Record<string, string | string[]> = {
    'aws:PrincipalArn': caller.arn,
    'aws:PrincipalAccount': caller.accountId,
    'aws:PrincipalType': caller.kind === 'user' ? 'User' : 'AssumedRole',
    'aws:userid':
      caller.kind === 'user'
        ? (caller.id ?? 'AIDAPAYERGUARDPROBE')
        : `${caller.id ?? 'AROAPAYERGUARDPROBE'}:payerguard-probe`,
    'aws:ResourceAccount': resourceAccount,
    'aws:RequestedRegion': region,
    'aws:SecureTransport': 'true',
    'aws:MultiFactorAuthPresent': 'true',
    'aws:ViaAWSService': 'false',
    'aws:PrincipalIsAWSService': 'false',
    'aws:SourceIp': '203.0.113.10',
    'aws:CurrentTime': now.toISOString(),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
  };
  if (caller.kind === 'user') global['aws:username'] = caller.name;
  for (const [k, v] of Object.entries(caller.tags ?? {})) global[`aws:PrincipalTag/${k}`] = v;
  if (variant) {
    const globalService = GLOBAL_SERVICES.has(step.action.split(':')[0]?.toLowerCase() ?? '');
    for (const k of variant.remove) delete global[k];
    for (const [k, v] of Object.entries(variant.set))
      if (!(globalService && k === 'aws:RequestedRegion')) global[k] = v;
  }
  return {
    principal,
    action: info?.action ?? step.action,
    resource,
    resourceAccount,
    context: applicableContext(step.action, { ...global, ...(step.context ?? {}) }),
    wildcardOnly,
  };
}

/** The target's real tags, as AWS sends them; a step's own context (e.g. a forged tag) wins. */
export function withResourceTags(step: ProbeStep, targets: PayerTargets): ProbeStep {
  const tags = step.untagged ? undefined : targets.resourceTags?.[step.resource];
  if (!tags || !Object.keys(tags).length) return step;
  const ctx: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(tags)) {
    ctx[`aws:ResourceTag/${k}`] = v;
    ctx[`iam:ResourceTag/${k}`] = v;
  }
  return { ...step, context: { ...ctx, ...(step.context ?? {}) } };
}

const label = (ds: DecidingStatement[]) => [...new Set(ds.map(describeDeciding))];

/**
 * Tries every route of a method. A route is open when each step is Allowed; the first denied step closes it.
 * At most `maxOpen` open paths are kept (one is enough to fail; a few help the reader). With `denials: false` the
 * outcome's deniedBy may leave out statements (the caller does not show them) and the analysis is cheaper.
 */
export function evaluateMethod(
  method: EscalationMethod,
  policies: PolicySet,
  caller: Caller,
  targets: PayerTargets,
  opts: { now?: Date; maxOpen?: number; routes?: Route[]; denials?: boolean } = {},
): MethodOutcome {
  const now = opts.now ?? new Date('2026-01-01T00:00:00Z');
  const routes = opts.routes ?? method.routes(targets);
  const open: OpenPath[] = [];
  const deniedBy = new Set<string>();
  const variants: (ContextVariant | undefined)[] = [undefined, ...(targets.attackerVariants ?? [])];
  for (const route of routes) {
    let reportDeciding: DecidingStatement[] = [];
    let allowed = false;
    let openVariant: ContextVariant | undefined;
    const reportAt = route.report ?? 0;
    for (const variant of variants) {
      allowed = true;
      for (let i = 0; i < route.steps.length; i++) {
        const step = route.steps[i] as ProbeStep;
        const req = requestFor(caller, withResourceTags(step, targets), now, variant);
        // Without denials wanted, a request the boundary alone denies needs no full simulation (engine.ts).
        const outcome = opts.denials === false ? policies.simulateUnlessBoundaryDenies(req) : policies.simulate(req);
        if (outcome?.result !== 'Allowed') {
          allowed = false;
          for (const l of label(outcome?.deciding ?? [])) deniedBy.add(l);
          break;
        }
        if (i === reportAt) reportDeciding = outcome.deciding;
      }
      if (allowed) {
        openVariant = variant;
        break;
      }
    }
    if (!allowed) continue;
    const notes = [route.note, openVariant ? `when the request is made ${openVariant.label}` : undefined].filter(
      Boolean,
    );
    const reported = route.steps[reportAt] as ProbeStep;
    if (open.length < (opts.maxOpen ?? 3)) {
      open.push({
        methodId: method.id,
        title: method.title,
        action: actionInfo(reported.action)?.action ?? reported.action,
        resource: reported.resource,
        ...(reported.context && Object.keys(reported.context).length ? { context: reported.context } : {}),
        explanation: [...method.explanation, ...(notes.length ? [`(${notes.join('; ')})`] : [])].join(' '),
        ...(openVariant ? { requestContext: openVariant.label } : {}),
        decidingStatements: label(reportDeciding),
        steps: route.steps.map((s) => ({ action: s.action, resource: s.resource })),
      });
    } else break;
  }
  return { open, routes: routes.length, deniedBy: [...deniedBy] };
}
