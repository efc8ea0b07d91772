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

export function listRules(ctx: CallContext, p: JsonParams) {
  bus(p);
  const prefix = p.str('NamePrefix') ?? '';
  const limit = p.int('Limit', 100, 1, 100);
  const scope = `rules:${prefix}`;
  const start = decodeToken(p.str('NextToken'), scope, 'ValidationException');
  const all = ctx.account.rules.filter((r) => r.name.startsWith(prefix));
  const more = start + limit < all.length;
  return {
    Rules: all.slice(start, start + limit).map(ruleShape),
    ...(more ? { NextToken: encodeToken(start + limit, scope) } : {}),
  };
}

export function describeRule(ctx: CallContext, p: JsonParams) {
  bus(p);
  const name = p.required('Name');
  const r = ctx.account.rules.find((x) => x.name === name);
  if (!r) throw new ApiError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus default.`);
  return { ...ruleShape(r), CreatedBy: r.createdBy };
}
