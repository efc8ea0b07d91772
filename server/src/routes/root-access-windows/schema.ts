import { REASON_MAX } from '@payerguard/core/root-windows/rules';
import { Type } from 'typebox';

/** The request and answer shapes of /api/root-access-windows, in one module (they also make the OpenAPI). */

const Side = Type.Union([Type.Literal('partner'), Type.Literal('distributor')]);
export const WindowState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('approved'),
  Type.Literal('rejected'),
  Type.Literal('expired'),
]);

export const RootAccessWindowView = Type.Object({
  id: Type.String(),
  partnerId: Type.String(),
  payerAccountId: Type.String(),
  reason: Type.String(),
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
  state: WindowState,
  requestedBy: Type.String(),
  requestedBySide: Side,
  requestedAt: Type.String({ format: 'date-time' }),
  /** The side that must decide: never the requester's. */
  decidedBySide: Side,
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  decisionNote: Type.Union([Type.String(), Type.Null()]),
});

export const WindowRequestBody = Type.Object(
  {
    partnerId: Type.String({ minLength: 1, maxLength: 100 }),
    payerAccountId: Type.String({ pattern: '^\\d{12}$' }),
    reason: Type.String({ minLength: 1, maxLength: REASON_MAX, description: 'why root is needed: the change ticket' }),
    startsAt: Type.String({ format: 'date-time', description: 'not in the past, at most 30 days ahead' }),
    endsAt: Type.String({ format: 'date-time', description: '5 minutes to 24 hours after startsAt' }),
  },
  { additionalProperties: false },
);

export const DecisionBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: REASON_MAX })) },
  { additionalProperties: false },
);

export const WindowListQuery = Type.Object({
  state: Type.Optional(WindowState),
  partnerId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  payerAccountId: Type.Optional(Type.String({ pattern: '^\\d{12}$' })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
});

export const WindowList = Type.Object({ windows: Type.Array(RootAccessWindowView) });
