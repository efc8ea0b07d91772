import type { SimRule } from '../estate/types.js';
import { ApiError } from '../protocols/errors.js';
import { decodeToken, encodeToken, type JsonParams } from '../protocols/json.js';
import type { CallContext } from './context.js';

function bus(p: JsonParams): string {
  const name = p.str('EventBusName') ?? 'default';
  if (name !== 'default' && !name.endsWith(':event-bus/default'))
    throw new ApiError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
  return 'default';
}

const ruleShape = (r: SimRule) => ({
  Name: r.name,
  Arn: r.arn,
  ...(r.eventPattern ? { EventPattern: r.eventPattern } : {}),
  ...(r.scheduleExpression ? { ScheduleExpression: r.scheduleExpression } : {}),
  State: r.state,
  ...(r.description ? { Description: r.description } : {}),
  EventBusName: 'default',
});

/** EventBridge is regional: a request sees only the rules of the region it was signed for. */
const regionRules = (ctx: CallContext) => ctx.account.rules.filter((r) => r.region === ctx.region);

function findRule(ctx: CallContext, name: string): SimRule {
  const r = regionRules(ctx).find((x) => x.name === name);
  if (!r) throw new ApiError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus default.`);
  return r;
}

export function listRules(ctx: CallContext, p: JsonParams) {
  bus(p);
  const prefix = p.str('NamePrefix') ?? '';
  const limit = p.int('Limit', 100, 1, 100);
  const scope = `rules:${ctx.region}:${prefix}`;
  const start = decodeToken(p.str('NextToken'), scope, 'ValidationException');
  const all = regionRules(ctx).filter((r) => r.name.startsWith(prefix));
  const more = start + limit < all.length;
  return {
    Rules: all.slice(start, start + limit).map(ruleShape),
    ...(more ? { NextToken: encodeToken(start + limit, scope) } : {}),
  };
}

export function describeRule(ctx: CallContext, p: JsonParams) {
  bus(p);
  const r = findRule(ctx, p.required('Name'));
  return { ...ruleShape(r), CreatedBy: r.createdBy };
}

export function listTargetsByRule(ctx: CallContext, p: JsonParams) {
  bus(p);
  const r = findRule(ctx, p.required('Rule'));
  const limit = p.int('Limit', 100, 1, 100);
  const scope = `targets:${r.arn}`;
  const start = decodeToken(p.str('NextToken'), scope, 'ValidationException');
  const more = start + limit < r.targets.length;
  return {
    Targets: r.targets.slice(start, start + limit),
    ...(more ? { NextToken: encodeToken(start + limit, scope) } : {}),
  };
}
