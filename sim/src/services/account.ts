import { ApiError } from '../protocols/errors.js';
import type { JsonParams } from '../protocols/json.js';
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
