import { Type } from 'typebox';
import { DateTime, Nullable, ref } from './common.js';

/** An accepted exception (core/src/engine/suppressions.ts). The drill-down lists its partner's without partnerId. */
export const Suppression = Type.Object(
  {
    id: Type.String(),
    partnerId: Type.Optional(Type.String()),
    controlId: Type.String(),
    resource: Type.String({ description: "'' = every resource of the control" }),
    reason: Type.String(),
    approver: Type.String(),
    expiresAt: DateTime(),
    createdBy: Type.String(),
    createdAt: DateTime(),
    revokedAt: Type.Optional(Nullable(DateTime())),
    revokedBy: Type.Optional(Nullable(Type.String())),
    approvedAt: Nullable(DateTime({ description: 'null while a critical control waits for a second admin' })),
    secondApprover: Nullable(Type.String()),
    status: Type.Union(
      [Type.Literal('pending'), Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')],
      { description: 'pending: changes no verdict until a second admin approves' },
    ),
  },
  { $id: 'Suppression' },
);

export const SuppressionList = Type.Object({ suppressions: Type.Array(ref(Suppression)) }, { $id: 'SuppressionList' });

export const suppressionSchemas = [Suppression, SuppressionList];
