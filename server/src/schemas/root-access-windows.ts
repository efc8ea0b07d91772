import { REASON_MAX } from '@payerguard/core/root-windows/rules';
import { Type } from 'typebox';
import { DateTime, Nullable, ref } from './common.js';

/** The request and answer shapes of /api/root-access-windows, in one module (they also make the OpenAPI). */

const Side = Type.Union([Type.Literal('partner'), Type.Literal('distributor')]);
export const WindowState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('approved'),
  Type.Literal('rejected'),
  Type.Literal('expired'),
]);

export const RootAccessWindow = Type.Object(
  {
    id: Type.String(),
    partnerId: Type.String(),
    payerAccountId: Type.String(),
    reason: Type.String(),
    startsAt: DateTime(),
    endsAt: DateTime(),
    state: WindowState,
    requestedBy: Type.String(),
    requestedBySide: Side,
    requestedAt: DateTime(),
    /** The side that must decide: never the requester's. */
    decidedBySide: Side,
    decidedBy: Nullable(Type.String()),
    decidedAt: Nullable(DateTime()),
    decisionNote: Nullable(Type.String()),
  },
  { $id: 'RootAccessWindow' },
);

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

export const WindowList = Type.Object({ windows: Type.Array(ref(RootAccessWindow)) }, { $id: 'WindowList' });

export const rootAccessWindowSchemas = [RootAccessWindow, WindowList];
