import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type ExportJobData, enqueueExport, exportQueue, syncSchedule } from '@payerguard/core/exports/scheduler';
import {
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  maskDelivery,
  type ScheduleDelivery,
  type ScheduleInput,
  updateSchedule,
} from '@payerguard/core/exports/schedules';
import {
  createExport,
  type ExportRecord,
  getExport,
  listExports,
  produceExport,
  readExportContent,
} from '@payerguard/core/exports/store';
import { CONTENT_TYPES, EXPORT_FORMATS, ExportInputError, type ExportScope } from '@payerguard/core/exports/types';
import { errorText } from '@payerguard/core/logger';
import { DEFAULT_QUEUE_PREFIX } from '@payerguard/core/queue/names';
import type { Queue } from 'bullmq';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { audit } from '../../audit.js';
import type { FeatureOpts } from '../../deps.js';
import { badRequest, HttpError, notFound } from '../../errors.js';
import { ref, responses } from '../../schemas/common.js';
import {
  ExportFile,
  ExportList,
  ExportRecord as ExportRecordView,
  Schedule,
  ScheduleList,
  ScheduleSaved,
} from '../../schemas/exports.js';
import { actorOf, byUser, partnerScope } from '../../scope.js';
import { ADMIN, ALL_ROLES, STAFF } from '../../types.js';

const Format = Type.Union(EXPORT_FORMATS.map((f) => Type.Literal(f)));
const Scope = Type.Object(
  {
    partnerId: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    grades: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 1 }), { minItems: 1, maxItems: 6 })),
    failingControl: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
const Delivery = Type.Object(
  {
    s3: Type.Optional(
      Type.Object(
        {
          bucket: Type.String({ minLength: 3, maxLength: 63 }),
          prefix: Type.Optional(Type.String({ maxLength: 512 })),
        },
        { additionalProperties: false },
      ),
    ),
    webhook: Type.Optional(
      Type.Object({ url: Type.String({ minLength: 8, maxLength: 2048 }) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
const ScheduleBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    cron: Type.String({ minLength: 9, maxLength: 120, description: 'five fields, e.g. "0 6 * * 1" (Mondays 06:00)' }),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, default UTC' })),
    format: Format,
    scope: Type.Optional(Scope),
    retentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    delivery: Type.Optional(Delivery),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

/** Partner viewers get 404 for anything not theirs: they must not learn it exists. */
function visibleTo(scope: string | null, rec: ExportRecord | undefined): rec is ExportRecord {
  if (!rec) return false;
  return scope === null || (rec.partnerId === scope && rec.audience === 'partner');
}

const inputError = <T>(p: Promise<T>) =>
  p.catch((e: unknown) => {
    if (e instanceof ExportInputError) throw badRequest(e.message);
    throw e;
  });

/**
 * Exports and their schedules. Admins manage schedules (analysts read them); everyone may export, but a partner
 * viewer's export is always their own partner only and never carries spend or margin (audience "partner").
 */
export const exportRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, deps) => {
  const { db, logger, config } = deps;
  const rules = { allowPrivateNetworks: config.deliveryAllowPrivateNetworks };
  /** Analysts read schedules but not the secrets some webhook URLs carry in their query or path. */
  const shown = <T extends { delivery: ScheduleDelivery }>(req: FastifyRequest, s: T): T =>
    req.principal?.role === 'admin' ? s : { ...s, delivery: maskDelivery(s.delivery) };
  const prefix = deps.queuePrefix ?? DEFAULT_QUEUE_PREFIX;
  const queue: Queue<ExportJobData> | undefined = deps.redis
    ? exportQueue({ connection: deps.redis, prefix })
    : undefined;
  if (queue) app.addHook('onClose', async () => queue.close());
  // Without Redis (a bare API in tests or scripts) schedules are stored and synced by the workers when they start.
  const sync = async (s: Parameters<typeof syncSchedule>[1]) => {
    if (queue) await syncSchedule(queue, s);
  };

  app.get(
    '/api/export-schedules',
    {
      config: { access: STAFF },
      schema: { tags: ['exports'], summary: 'Export schedules', response: responses({ 200: ref(ScheduleList) }) },
    },
    async (req) => ({
      schedules: (await listSchedules(db)).map((s) => shown(req, s)),
    }),
  );

  app.get(
    '/api/export-schedules/:id',
    {
      config: { access: STAFF },
      schema: {
        tags: ['exports'],
        summary: 'One export schedule',
        params: IdParams,
        response: responses({ 200: ref(Schedule) }),
      },
    },
    async (req) => {
      const s = await getSchedule(db, req.params.id);
      if (!s) throw notFound(`no export schedule ${req.params.id}`);
      return shown(req, s);
    },
  );

  app.post(
    '/api/export-schedules',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['exports'],
        summary: 'Create an export schedule; with a webhook, the response carries its signing secret (shown once)',
        body: ScheduleBody,
        response: responses({ 201: ref(ScheduleSaved) }),
      },
    },
    async (req, reply) => {
      const r = await inputError(createSchedule(db, req.body as ScheduleInput, actorOf(req), rules));
      await sync(r.schedule);
      await audit(db, {
        actor: actorOf(req),
        action: 'export_schedule.create',
        target: r.schedule.id,
        detail: {
          name: r.schedule.name,
          cron: r.schedule.cron,
          timezone: r.schedule.timezone,
          format: r.schedule.format,
          scope: r.schedule.scope,
          delivery: maskDelivery(r.schedule.delivery),
        },
        ip: req.ip,
      });
      reply.code(201);
      return r;
    },
  );

  app.put(
    '/api/export-schedules/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['exports'],
        summary: 'Replace an export schedule (rotateSecret=true issues a new webhook secret, returned once)',
        params: IdParams,
        querystring: Type.Object({ rotateSecret: Type.Boolean({ default: false }) }),
        body: ScheduleBody,
        response: responses({ 200: ref(ScheduleSaved) }),
      },
    },
    async (req) => {
      const before = await getSchedule(db, req.params.id);
      const r = await inputError(
        updateSchedule(db, req.params.id, req.body as ScheduleInput, {
          rotateSecret: req.query.rotateSecret,
          ...rules,
        }),
      );
      if (!r) throw notFound(`no export schedule ${req.params.id}`);
      const deliveryBefore = maskDelivery(before?.delivery ?? {});
      const deliveryAfter = maskDelivery(r.schedule.delivery);
      await sync(r.schedule);
      await audit(db, {
        actor: actorOf(req),
        action: 'export_schedule.update',
        target: r.schedule.id,
        detail: {
          enabled: r.schedule.enabled,
          cron: r.schedule.cron,
          rotatedSecret: !!r.webhookSecret,
          // Where exports go is part of the record: a changed destination is always logged (secrets masked).
          ...(JSON.stringify(deliveryBefore) !== JSON.stringify(deliveryAfter)
            ? { deliveryChanged: { from: deliveryBefore, to: deliveryAfter } }
            : {}),
        },
        ip: req.ip,
      });
      return r;
    },
  );

  app.delete(
    '/api/export-schedules/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['exports'],
        summary: 'Delete an export schedule (its exports are kept until they expire)',
        params: IdParams,
        response: responses({ 204: Type.Null({ description: 'deleted' }) }),
      },
    },
    async (req, reply) => {
      if (!(await deleteSchedule(db, req.params.id))) throw notFound(`no export schedule ${req.params.id}`);
      await sync({ id: req.params.id, enabled: false });
      await audit(db, { actor: actorOf(req), action: 'export_schedule.delete', target: req.params.id, ip: req.ip });
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/exports',
    {
      // Each export renders a whole estate: a per-user budget keeps one account (or a stolen token) from queueing
      // thousands.
      config: { access: ALL_ROLES, rateLimit: { max: 20, timeWindow: 60 * 60_000, keyGenerator: byUser } },
      schema: {
        tags: ['exports'],
        summary: 'Create an export now (produced in the background; poll GET /api/exports/{id})',
        body: Type.Object(
          {
            format: Format,
            scope: Type.Optional(Scope),
            asOf: Type.Optional(
              Type.String({ format: 'date-time', description: 'latest snapshot at or before this time' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({ 202: ref(ExportRecordView) }),
      },
    },
    async (req, reply) => {
      const own = partnerScope(req);
      let scope: ExportScope = { ...(req.body.scope ?? {}) };
      if (own !== null) {
        // A viewer account without a partner may export nothing.
        if (own.includes('\u0000')) throw notFound('your account is not linked to a partner');
        if (scope.partnerId && scope.partnerId !== own) throw notFound(`partner ${scope.partnerId} not found`);
        scope = { ...scope, partnerId: own };
      }
      const rec = await inputError(
        createExport(db, {
          format: req.body.format,
          scope,
          ...(req.body.asOf ? { asOf: req.body.asOf } : {}),
          audience: own === null ? 'distributor' : 'partner',
          requestedBy: actorOf(req),
        }),
      );
      if (queue) await enqueueExport(queue, rec.id);
      // No queue: produce here, after answering; the row records success or failure either way.
      else
        setImmediate(
          () =>
            void produceExport(db, rec.id).catch((e: Error) =>
              logger.error({ err: errorText(e), exportId: rec.id }, 'export failed'),
            ),
        );
      await audit(db, {
        actor: actorOf(req),
        action: 'export.create',
        target: rec.id,
        detail: { format: rec.format, scope: rec.scope, asOf: rec.asOf, audience: rec.audience },
        ip: req.ip,
      });
      reply.code(202);
      return rec;
    },
  );

  app.get(
    '/api/exports',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['exports'],
        summary: "Exports, newest first (partner viewers: their own partner's only)",
        querystring: Type.Object({
          scheduleId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          before: Type.Optional(
            Type.String({ format: 'date-time', description: 'page: createdAt of the last export seen' }),
          ),
        }),
        response: responses({ 200: ref(ExportList) }),
      },
    },
    async (req) => {
      const own = partnerScope(req);
      const exports = await listExports(db, {
        ...(own !== null ? { partnerId: own, audience: 'partner' as const } : {}),
        ...(req.query.scheduleId ? { scheduleId: req.query.scheduleId } : {}),
        limit: req.query.limit,
        ...(req.query.before ? { before: new Date(req.query.before) } : {}),
      });
      return { exports };
    },
  );

  app.get(
    '/api/exports/:id',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['exports'],
        summary: 'One export: status, size, deliveries',
        params: IdParams,
        response: responses({ 200: ref(ExportRecordView) }),
      },
    },
    async (req) => {
      const rec = await getExport(db, req.params.id);
      if (!visibleTo(partnerScope(req), rec)) throw notFound(`no export ${req.params.id}`);
      return rec;
    },
  );

  app.get(
    '/api/exports/:id/download',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['exports'],
        summary: 'Download an export file (audited)',
        params: IdParams,
        response: responses({
          200: {
            description: 'the file, with its sha256 in x-payerguard-sha256',
            content: Object.fromEntries(Object.values(CONTENT_TYPES).map((t) => [t, { schema: ExportFile }])),
          },
        }),
      },
    },
    async (req, reply) => {
      const rec = await getExport(db, req.params.id);
      if (!visibleTo(partnerScope(req), rec)) throw notFound(`no export ${req.params.id}`);
      if (rec.status !== 'ready')
        throw new HttpError(409, rec.status === 'failed' ? `export failed: ${rec.error}` : 'export is not ready yet');
      await audit(db, {
        actor: actorOf(req),
        action: 'export.download',
        target: rec.id,
        detail: { format: rec.format, partnerId: rec.partnerId, sizeBytes: rec.sizeBytes, sha256: rec.sha256 },
        ip: req.ip,
      });
      return reply
        .header('content-type', rec.contentType ?? 'application/octet-stream')
        .header('content-length', String(rec.sizeBytes ?? 0))
        .header('content-disposition', `attachment; filename="${rec.fileName ?? rec.id}"`)
        .header('x-payerguard-sha256', rec.sha256 ?? '')
        .send(readExportContent(db, rec.id, rec.sizeBytes ?? 0));
    },
  );
};

export default exportRoutes;
