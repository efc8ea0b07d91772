import { Type } from 'typebox';
import { DateTime, Nullable } from './common.js';

const Check = Type.Object({
  ok: Type.Boolean(),
  latencyMs: Type.Optional(Type.Number()),
  error: Type.Optional(Type.String()),
});

const WorkerHeartbeat = Type.Object({
  workerId: Type.String(),
  pid: Type.Integer(),
  host: Type.String(),
  startedAt: DateTime(),
  at: DateTime(),
  concurrency: Type.Integer(),
  active: Type.Integer({ description: 'payer jobs in flight at the last beat' }),
});

/** core/src/root-events/status.ts RootEventsStatus, every field optional: absent when no worker reported. */
const RootEventsHealth = Type.Object({
  configured: Type.Boolean(),
  ok: Type.Optional(Type.Boolean()),
  error: Type.Optional(Type.String()),
  queueUrl: Type.Optional(Type.String()),
  lastPollAt: Type.Optional(DateTime()),
  lastOkAt: Type.Optional(Nullable(DateTime())),
  lastError: Type.Optional(Nullable(Type.String())),
  received: Type.Optional(Type.Integer()),
  stored: Type.Optional(Type.Integer()),
  duplicates: Type.Optional(Type.Integer()),
  rejected: Type.Optional(Type.Integer()),
});

/** Without a login (and for partner viewers) only states and counts: the optional parts are staff-only. */
export const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    database: Check,
    redis: Check,
    workers: Nullable(Type.Object({ alive: Type.Integer(), workers: Type.Optional(Type.Array(WorkerHeartbeat)) })),
    rootEvents: Type.Optional(RootEventsHealth),
  },
  { $id: 'Health' },
);

export const healthSchemas = [Health];
