import { Type } from 'typebox';
import { DateTime, Nullable, ref } from './common.js';

export const AuditEntry = Type.Object(
  {
    id: Type.Integer(),
    at: DateTime(),
    actor: Type.String({ description: 'user email, "system", "schedule:<id>"' }),
    action: Type.String(),
    target: Nullable(Type.String()),
    detail: Type.Unknown({ description: 'what changed: any JSON' }),
    ip: Nullable(Type.String()),
  },
  { $id: 'AuditEntry' },
);

export const AuditPage = Type.Object(
  { total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer(), entries: Type.Array(ref(AuditEntry)) },
  { $id: 'AuditPage' },
);

export const auditSchemas = [AuditEntry, AuditPage];
