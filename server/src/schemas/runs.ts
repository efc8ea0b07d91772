import { Type } from 'typebox';
import { DateTime, Nullable, Open, ref } from './common.js';

export const Run = Type.Object(
  {
    id: Type.String(),
    status: Type.String({ description: 'queued | running | completed | failed | interrupted' }),
    trigger: Type.String(),
    requestedBy: Nullable(Type.String()),
    total: Type.Integer(),
    collected: Type.Integer(),
    failed: Type.Integer(),
    createdAt: DateTime(),
    startedAt: Nullable(DateTime()),
    finishedAt: Nullable(DateTime()),
    summary: Nullable(Open("the run's summary when scored (core RunSummary)")),
    error: Nullable(Type.String()),
    recoveryNote: Nullable(Type.String({ description: 'what the reconciler did for the run' })),
  },
  { $id: 'Run' },
);

export const RunList = Type.Object({ total: Type.Integer(), runs: Type.Array(ref(Run)) }, { $id: 'RunList' });

export const RunPayer = Type.Object(
  {
    payerAccountId: Type.String(),
    partnerId: Type.String(),
    partnerName: Nullable(Type.String()),
    status: Type.String(),
    attempts: Type.Integer(),
    errorCode: Nullable(Type.String()),
    errorMessage: Nullable(Type.String()),
    callStats: Nullable(Open('AWS calls made, by API and outcome')),
    startedAt: Nullable(DateTime()),
    finishedAt: Nullable(DateTime()),
  },
  { $id: 'RunPayer' },
);

export const RunDetail = Type.Object({ run: ref(Run), payers: Type.Array(ref(RunPayer)) }, { $id: 'RunDetail' });

export const RunStarted = Type.Object(
  {
    runId: Type.String(),
    events: Type.String({ description: 'the server-sent events URL of the run' }),
    alreadyRunning: Type.Boolean({ description: 'true: a run covering these payers was in progress, this is it' }),
  },
  { $id: 'RunStarted' },
);

/** GET /api/runs/:id/events is a text/event-stream: "progress" events, then one "done" carrying the Run. */
export const RunEvents = Type.String({ description: 'server-sent events' });

export const runSchemas = [Run, RunList, RunPayer, RunDetail, RunStarted];
