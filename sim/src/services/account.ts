import { ApiError } from '../protocols/errors.js';
import { decodeToken, encodeToken, type JsonParams } from '../protocols/json.js';
import type { CallContext } from './context.js';

const TYPES = ['BILLING', 'SECURITY', 'OPERATIONS'] as const;

/** The Account API answers for the caller's account, or (from the management account) for a member. */
function target(ctx: CallContext, p: JsonParams): 'self' | 'member' {
  const id = p.str('AccountId');
  if (id === undefined || id === ctx.account.accountId) return 'self';
  if (ctx.account.members.some((m) => m.id === id)) return 'member';
  throw new ApiError(
    'AccessDeniedException',
    `User: ${ctx.caller.arn} is not authorized to perform: account:GetAlternateContact on resource: arn:aws:account::${ctx.account.accountId}:account/${ctx.account.organization.id}/${id}`,
    403,
  );
}

export function getContactInformation(ctx: CallContext, p: JsonParams) {
  target(ctx, p);
  return { ContactInformation: ctx.account.contact };
}

export function getAlternateContact(ctx: CallContext, p: JsonParams) {
  const type = p.required('AlternateContactType');
  if (!(TYPES as readonly string[]).includes(type))
    throw new ApiError('ValidationException', `Invalid AlternateContactType: ${type}`, 400, {
      reason: 'invalidParameter',
      fieldList: [
        { name: 'AlternateContactType', message: `Member must satisfy enum value set: [${TYPES.join(', ')}]` },
      ],
    });
  const contact = target(ctx, p) === 'self' ? ctx.account.alternateContacts[type as (typeof TYPES)[number]] : undefined;
  if (!contact)
    throw new ApiError('ResourceNotFoundException', 'No contact of the inputted alternate contact type found.', 404);
  return { AlternateContact: contact };
}

const REGION_STATUSES = ['ENABLED', 'ENABLING', 'DISABLING', 'DISABLED', 'ENABLED_BY_DEFAULT'];

/** Every region with its opt-in status (Account ListRegions, restJson POST /listRegions). */
export function listRegions(ctx: CallContext, p: JsonParams) {
  const id = p.str('AccountId');
  // The management account may not name itself; naming a member would answer for that member (not simulated).
  if (id !== undefined)
    throw new ApiError(
      'ValidationException',
      id === ctx.account.accountId
        ? 'The management account can only be managed using the standalone context from the management account.'
        : `The simulator answers ListRegions only for the calling account, not ${id}.`,
      400,
      { reason: 'invalidParameter' },
    );
  const wanted = p.array('RegionOptStatusContains').map(String);
  const bad = wanted.find((s) => !REGION_STATUSES.includes(s));
  if (bad !== undefined)
    throw new ApiError('ValidationException', `Invalid RegionOptStatus: ${bad}`, 400, {
      reason: 'invalidParameter',
      fieldList: [
        {
          name: 'RegionOptStatusContains',
          message: `Member must satisfy enum value set: [${REGION_STATUSES.join(', ')}]`,
        },
      ],
    });
  const max = p.int('MaxResults', 50, 1, 50);
  const scope = `regions:${wanted.join(',')}`;
  const start = decodeToken(p.str('NextToken'), scope, 'ValidationException');
  const all = ctx.account.regions.filter((r) => wanted.length === 0 || wanted.includes(r.RegionOptStatus));
  const more = start + max < all.length;
  return {
    Regions: all.slice(start, start + max),
    ...(more ? { NextToken: encodeToken(start + max, scope) } : {}),
  };
}
