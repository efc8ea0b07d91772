import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'drizzle-orm';
import type { FeatureOpts } from '../../deps.js';
import { ref, responses } from '../../schemas/common.js';
import { Health } from '../../schemas/health.js';
import { workerHeartbeats } from './heartbeats.js';
import { rootEventsHealth } from './root-events.js';

async function timed<T>(f: () => Promise<T>): Promise<{ ok: boolean; latencyMs: number; error?: string; value?: T }> {
  const t = performance.now();
  try {
    const value = await f();
    return { ok: true, latencyMs: Math.round((performance.now() - t) * 10) / 10, value };
  } catch (e) {
    return { ok: false, latencyMs: Math.round((performance.now() - t) * 10) / 10, error: (e as Error).message };
  }
}

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);

/**
 * What anyone may see without logging in: states and counts. Host names, PIDs, worker ids and error texts describe
 * the deployment to an attacker, so only distributor staff get them.
 */
function countsOnly<B extends { status: string; database: { ok: boolean }; redis: { ok: boolean } }>(
  b: B & { workers: { alive: number } | null },
) {
  return {
    status: b.status,
    database: { ok: b.database.ok },
    redis: { ok: b.redis.ok },
    workers: b.workers ? { alive: b.workers.alive } : null,
  };
}

export const healthRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, { db, redis, queuePrefix, config }) => {
  app.get(
    '/api/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary:
          'Database, Redis and worker heartbeats; without a login only states and counts; 503 when a dependency is down',
        response: responses({ 200: ref(Health), 503: ref(Health) }),
      },
    },
    async (req, reply) => {
      const database = await timed(() => withTimeout(db.execute(sql`select 1`), 3000));
      const redisCheck = redis
        ? await timed(() => withTimeout(redis.ping(), 3000))
        : { ok: false, latencyMs: 0, error: 'no Redis connection configured for the API' };
      const workers = redis && redisCheck.ok ? await workerHeartbeats(redis, queuePrefix).catch(() => null) : null;
      const rootEvents = await rootEventsHealth(config, redisCheck.ok ? redis : undefined, queuePrefix);
      const ok = database.ok && redisCheck.ok;
      reply.code(ok ? 200 : 503);
      const body = {
        status: ok ? 'ok' : 'degraded',
        database: {
          ok: database.ok,
          latencyMs: database.latencyMs,
          ...(database.error ? { error: database.error } : {}),
        },
        redis: {
          ok: redisCheck.ok,
          latencyMs: redisCheck.latencyMs,
          ...(redisCheck.error ? { error: redisCheck.error } : {}),
        },
        workers,
        rootEvents,
      };
      return req.principal && req.principal.role !== 'partner_viewer' ? body : countsOnly(body);
    },
  );
};
