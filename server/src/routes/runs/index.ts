import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { schema } from '@payerguard/core';
import { DEFAULT_QUEUE_PREFIX } from '@payerguard/core/queue/names';
import { FINISHED_RUN_STATUSES, startRun } from '@payerguard/core/queue/runs';
import { and, asc, count, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { Type } from 'typebox';
import { audit } from '../../audit.js';
import type { FeatureOpts } from '../../deps.js';
import { HttpError, notFound } from '../../errors.js';
import { ref, responses } from '../../schemas/common.js';
import { RunDetail, RunEvents, RunList, RunStarted } from '../../schemas/runs.js';
import { actorOf, byUser } from '../../scope.js';
import { ADMIN, STAFF } from '../../types.js';

const RunParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const DONE = new Set<string>(FINISHED_RUN_STATUSES);
/** A run still "queued" or "running" after this long is stuck (its process died): it no longer blocks a new one. */
const STUCK_RUN_MS = 6 * 60 * 60 * 1000;

const runView = (r: typeof schema.runs.$inferSelect) => ({
  id: r.id,
  status: r.status,
  trigger: r.trigger,
  requestedBy: r.requestedBy,
  total: r.total,
  collected: r.collected,
  failed: r.failed,
  createdAt: r.createdAt.toISOString(),
  startedAt: r.startedAt?.toISOString() ?? null,
  finishedAt: r.finishedAt?.toISOString() ?? null,
  summary: r.summary,
  error: r.error,
  recoveryNote: r.recoveryNote,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const runRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, { db, redis, queuePrefix, options }) => {
  const interval = options?.runEventsIntervalMs ?? 500;
  const getRun = async (id: string) => {
    const [r] = await db.select().from(schema.runs).where(eq(schema.runs.id, id));
    if (!r) throw notFound(`run ${id} not found`);
    return r;
  };

  app.post(
    '/api/runs',
    {
      config: { access: ADMIN, rateLimit: { max: 10, timeWindow: 60_000, keyGenerator: byUser } },
      // "Start a run" has always been a POST without a body; the optional body narrows it to one partner.
      preValidation: async (req) => {
        req.body ??= {};
      },
      schema: {
        tags: ['runs'],
        summary:
          "Start a collection run over every payer, or over one partner's payers (admins); while a run that covers " +
          'them is queued or running, answers with it',
        body: Type.Optional(
          Type.Object(
            { partnerId: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' })) },
            { additionalProperties: false },
          ),
        ),
        response: responses({ 200: ref(RunStarted), 202: ref(RunStarted) }),
      },
    },
    async (req, reply) => {
      if (!redis) throw new HttpError(503, 'no Redis connection: runs cannot be queued');
      const partnerId = req.body?.partnerId;
      if (partnerId) {
        const [p] = await db
          .select({ id: schema.partners.id })
          .from(schema.partners)
          .where(eq(schema.partners.id, partnerId));
        if (!p) throw notFound(`partner ${partnerId} not found`);
      }
      // One run at a time: a second click (or a script in a loop) joins the run in progress instead of queueing
      // another sweep. A partner's run joins any run still to collect that partner's payers. The short Redis lock
      // makes check-then-start atomic across API processes.
      const lockKey = `${queuePrefix ?? DEFAULT_QUEUE_PREFIX}:api:run-start-lock`;
      const locked = await redis.set(lockKey, '1', 'PX', 15_000, 'NX');
      if (!locked) throw new HttpError(409, 'a run is being started right now: try again in a moment');
      try {
        const [current] = await db
          .select({ id: schema.runs.id })
          .from(schema.runs)
          .where(
            and(
              inArray(schema.runs.status, ['queued', 'running']),
              gt(schema.runs.createdAt, new Date(Date.now() - STUCK_RUN_MS)),
              partnerId
                ? sql`exists (select 1 from run_payers rp where rp.run_id = ${schema.runs.id}
                      and rp.partner_id = ${partnerId} and rp.status not in ('collected', 'failed'))`
                : undefined,
            ),
          )
          .orderBy(desc(schema.runs.createdAt))
          .limit(1);
        if (current) {
          reply.code(200);
          return { runId: current.id, events: `/api/runs/${current.id}/events`, alreadyRunning: true };
        }
        const { runId } = await startRun(
          { db, connection: redis, ...(queuePrefix ? { prefix: queuePrefix } : {}) },
          { trigger: 'manual', requestedBy: actorOf(req), ...(partnerId ? { partnerIds: [partnerId] } : {}) },
        );
        await audit(db, {
          actor: actorOf(req),
          action: 'run.start',
          target: runId,
          ...(partnerId ? { detail: { partnerId } } : {}),
          ip: req.ip,
        });
        reply.code(202);
        return { runId, events: `/api/runs/${runId}/events`, alreadyRunning: false };
      } finally {
        await redis.del(lockKey);
      }
    },
  );

  app.get(
    '/api/runs',
    {
      config: { access: STAFF },
      schema: {
        tags: ['runs'],
        summary: 'Collection runs, newest first',
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: responses({ 200: ref(RunList) }),
      },
    },
    async (req) => {
      const [total] = await db.select({ n: count() }).from(schema.runs);
      const list = await db
        .select()
        .from(schema.runs)
        .orderBy(desc(schema.runs.createdAt), desc(schema.runs.id))
        .limit(req.query.limit)
        .offset(req.query.offset);
      return { total: total?.n ?? 0, runs: list.map(runView) };
    },
  );

  app.get(
    '/api/runs/:id',
    {
      config: { access: STAFF },
      schema: {
        tags: ['runs'],
        summary: "One run with every payer's outcome",
        params: RunParams,
        response: responses({ 200: ref(RunDetail) }),
      },
    },
    async (req) => {
      const run = await getRun(req.params.id);
      const payers = await db
        .select({
          payerAccountId: schema.runPayers.payerAccountId,
          partnerId: schema.runPayers.partnerId,
          partnerName: schema.partners.name,
          status: schema.runPayers.status,
          attempts: schema.runPayers.attempts,
          errorCode: schema.runPayers.errorCode,
          errorMessage: schema.runPayers.errorMessage,
          callStats: schema.runPayers.callStats,
          startedAt: schema.runPayers.startedAt,
          finishedAt: schema.runPayers.finishedAt,
        })
        .from(schema.runPayers)
        .leftJoin(schema.partners, eq(schema.partners.id, schema.runPayers.partnerId))
        .where(eq(schema.runPayers.runId, run.id))
        .orderBy(asc(schema.runPayers.partnerId), asc(schema.runPayers.payerAccountId));
      return { run: runView(run), payers };
    },
  );

  app.get(
    '/api/runs/:id/events',
    {
      sse: { kind: 'only', heartbeat: true },
      config: { access: STAFF },
      schema: {
        tags: ['runs'],
        summary: 'Server-sent events: "progress" while the run goes, then one "done"; the stream then ends',
        params: RunParams,
        response: responses({
          200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: RunEvents } } },
        }),
      },
    },
    async (req, reply) => {
      const first = await getRun(req.params.id);
      async function* progress() {
        let last = '';
        let run = first;
        for (let seq = 0; ; seq++) {
          const view = runView(run);
          const body = {
            id: view.id,
            status: view.status,
            total: view.total,
            collected: view.collected,
            failed: view.failed,
          };
          const key = JSON.stringify(body);
          if (DONE.has(run.status)) {
            yield { id: String(seq), event: 'done', data: view };
            return;
          }
          if (key !== last) yield { id: String(seq), event: 'progress', data: body };
          last = key;
          await sleep(interval);
          if (!reply.sse.isConnected) return;
          run = await getRun(run.id);
        }
      }
      await reply.sse.send(progress());
      reply.sse.close();
    },
  );
};
