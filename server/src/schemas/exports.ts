import { EXPORT_FORMATS } from '@payerguard/core/exports/types';
import { Type } from 'typebox';
import { DateTime, Grade, Nullable, ref } from './common.js';

export const ExportFormat = Type.Enum([...EXPORT_FORMATS], { $id: 'ExportFormat' });

/** Which partners an export covers; fields combine (AND). Empty: every partner that has a snapshot. */
export const ExportScope = Type.Object(
  {
    partnerId: Type.Optional(Type.String()),
    grades: Type.Optional(Type.Array(ref(Grade))),
    failingControl: Type.Optional(Type.String()),
  },
  { $id: 'ExportScope' },
);

/** core/src/exports/store.ts DeliveryState: where a scheduled export was pushed, one per target. */
export const DeliveryState = Type.Object(
  {
    target: Type.Union([Type.Literal('s3'), Type.Literal('webhook')]),
    status: Type.Union([
      Type.Literal('pending'),
      Type.Literal('delivered'),
      Type.Literal('retrying'),
      Type.Literal('failed'),
    ]),
    attempts: Type.Integer(),
    lastError: Nullable(Type.String()),
    deliveredAt: Nullable(DateTime()),
    destination: Type.Optional(Type.String({ description: "s3://bucket/key or the webhook's host" })),
  },
  { $id: 'DeliveryState' },
);

/** core/src/exports/store.ts ExportRecord. */
export const ExportRecord = Type.Object(
  {
    id: Type.String(),
    scheduleId: Nullable(Type.String()),
    format: ref(ExportFormat),
    scope: ref(ExportScope),
    asOf: Nullable(DateTime()),
    audience: Type.Union([Type.Literal('distributor'), Type.Literal('partner')]),
    partnerId: Nullable(Type.String()),
    status: Type.Union([Type.Literal('pending'), Type.Literal('ready'), Type.Literal('failed')]),
    fileName: Nullable(Type.String()),
    contentType: Nullable(Type.String()),
    sizeBytes: Nullable(Type.Integer()),
    sha256: Nullable(Type.String()),
    error: Nullable(Type.String()),
    deliveries: Type.Array(ref(DeliveryState)),
    requestedBy: Type.String(),
    createdAt: DateTime(),
    expiresAt: Nullable(DateTime()),
    rows: Type.Optional(Type.Integer()),
  },
  { $id: 'ExportRecord' },
);

export const ExportList = Type.Object({ exports: Type.Array(ref(ExportRecord)) }, { $id: 'ExportList' });

export const ScheduleDelivery = Type.Object(
  {
    s3: Type.Optional(Type.Object({ bucket: Type.String(), prefix: Type.String() })),
    webhook: Type.Optional(Type.Object({ url: Type.String({ description: 'masked for analysts' }) })),
  },
  { $id: 'ScheduleDelivery' },
);

/** core/src/exports/schedules.ts Schedule: the webhook secret never leaves the server after creation. */
export const Schedule = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    cron: Type.String(),
    timezone: Type.String(),
    format: ref(ExportFormat),
    scope: ref(ExportScope),
    retentionDays: Type.Integer(),
    delivery: ref(ScheduleDelivery),
    hasWebhookSecret: Type.Boolean(),
    enabled: Type.Boolean(),
    createdBy: Type.String(),
    createdAt: DateTime(),
    lastRunAt: Nullable(DateTime()),
    nextRunAt: Nullable(DateTime()),
  },
  { $id: 'Schedule' },
);

export const ScheduleList = Type.Object({ schedules: Type.Array(ref(Schedule)) }, { $id: 'ScheduleList' });

export const ScheduleSaved = Type.Object(
  {
    schedule: ref(Schedule),
    webhookSecret: Type.Optional(
      Type.String({ description: 'only when a webhook was just created or its secret rotated (shown once)' }),
    ),
  },
  { $id: 'ScheduleSaved' },
);

/** The export file itself (csv, json, xlsx or pdf). */
export const ExportFile = Type.String({ format: 'binary' });

export const exportSchemas = [
  ExportFormat,
  ExportScope,
  DeliveryState,
  ExportRecord,
  ExportList,
  ScheduleDelivery,
  Schedule,
  ScheduleList,
  ScheduleSaved,
];
