import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import { fastifySSE as sse } from '@fastify/sse';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { isDatabaseUnavailable, isStatementTimeout } from '@payerguard/core/db/availability';
import { errorText } from '@payerguard/core/logger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { authGuard } from './auth/guard.js';
import { ChangeFeed } from './data/change-feed.js';
import { EstateCache } from './data/estate-cache.js';
import type { ServerDeps } from './deps.js';
import { errorBody, HttpError } from './errors.js';
import { alertRoutes } from './routes/alerts/index.js';
import { auditRoutes } from './routes/audit/index.js';
import { authRoutes } from './routes/auth/index.js';
import { controlRoutes } from './routes/controls/index.js';
import { exportRoutes } from './routes/exports/index.js';
import { findingRoutes } from './routes/findings/index.js';
import { healthRoutes } from './routes/health/index.js';
import { overviewRoutes } from './routes/overview/index.js';
import { partnerRoutes } from './routes/partners/index.js';
import { rootAccessWindowRoutes } from './routes/root-access-windows/index.js';
import { runRoutes } from './routes/runs/index.js';
import { settingsRoutes } from './routes/settings/index.js';
import { suppressionRoutes } from './routes/suppressions/index.js';
import { tokenRoutes } from './routes/tokens/index.js';
import { userRoutes } from './routes/users/index.js';
import { sharedSchemas } from './schemas/index.js';
import { securityHeaders } from './security-headers.js';

export type { ServerDeps };

declare module 'fastify' {
  interface FastifyInstance {
    /** The change feed kept answers are checked against (tests sync on it after writing behind the API's back). */
    changeFeed: ChangeFeed;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A route as the app registered it: what the API fuzz test enumerates, so every new route is fuzzed too. */
export interface RegisteredRoute {
  method: string;
  url: string;
  schema?: { params?: unknown; querystring?: unknown; body?: unknown };
}
const registered = new WeakMap<object, RegisteredRoute[]>();
export const routesOf = (app: FastifyInstance): RegisteredRoute[] => [...(registered.get(app) ?? [])];

/** The API (and the built dashboard when webDist holds one). Call `.listen()` or `.inject()` on the result. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // Most bodies are a few KB; the registry import route raises its own limit (partners/index.ts).
    bodyLimit: 256 * 1024,
    ajv: { customOptions: { allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  if (deps.options?.serializeWithoutSchemas) app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const routes: RegisteredRoute[] = [];
  registered.set(app, routes);
  // The embedded stack: collection in this process gives way while somebody uses the dashboard (health checks are
  // machines, not somebody).
  const onRequest = deps.onRequest;
  if (onRequest)
    app.addHook('onRequest', async (req) => {
      if (req.url !== '/api/health') onRequest();
    });
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat())
      routes.push({ method, url: r.url, ...(r.schema ? { schema: r.schema as RegisteredRoute['schema'] } : {}) });
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).send(errorBody(err.statusCode, err.message));
    if (err.validation) return reply.code(400).send(errorBody(400, err.message));
    if (isDatabaseUnavailable(err)) {
      // A restart or failover: nothing is wrong with the request, so say when to come back rather than "internal error".
      req.log.warn({ err: errorText(err) }, 'database unavailable');
      return retryLater(reply, 'the database is unavailable (restarting or failing over); try again in a few seconds');
    }
    if (isStatementTimeout(err)) {
      // The database answered, but not within API_STATEMENT_TIMEOUT_MS (a lock held by a long write, an overloaded
      // server): the request itself is fine and may be sent again.
      req.log.warn({ err: errorText(err), url: req.url }, 'database statement timed out');
      return retryLater(
        reply,
        'the database did not answer in time (busy, or waiting on a lock); try again in a few seconds',
      );
    }
    const status =
      typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status < 500) return reply.code(status).send(errorBody(status, err.message));
    req.log.error({ err }, 'request failed');
    return reply.code(status).send(errorBody(status, 'internal error: see the server log'));
  });

  // API answers carry ExternalIds, findings and tokens: no browser or proxy cache may keep them.
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/api') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  app.addHook(
    'onRequest',
    securityHeaders({
      contentSecurityPolicy: {
        directives: {
          // Swagger UI and the dashboard's charts set inline styles.
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
        },
      },
    }),
  );
  await app.register(cookie);
  // Limits are per route (login, exports, runs). With Redis they are shared by every API process; when Redis fails,
  // requests go through rather than every login failing.
  await app.register(rateLimit, {
    global: false,
    ...(deps.redis
      ? { redis: deps.redis, nameSpace: `${deps.queuePrefix ?? 'payerguard'}:rate-limit:`, skipOnError: true }
      : {}),
  });
  await app.register(sse, { heartbeatInterval: 15_000 });
  // Named response shapes first: routes point at them by $id, and OpenAPI lists them as components under that name.
  for (const s of sharedSchemas) app.addSchema(s);
  await app.register(swagger, {
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (json.$id as string | undefined) ?? `def-${i}` },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'payerguard API',
        version: '0.1.0',
        description:
          'Whether each partner payer account is held the way the distribution program requires. Log in with POST /api/auth/login ' +
          '(session cookie; send the returned csrfToken as x-csrf-token on POST/PUT/PATCH/DELETE) or use an API token (Authorization: Bearer pg_...).',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'pg_session' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  // What this process heard of the database's commits: kept sessions and drill-downs are served while it says nothing
  // of theirs changed (data/change-feed.ts).
  const feed = await ChangeFeed.open(deps.db, { logger: deps.logger });
  app.decorate('changeFeed', feed);
  app.addHook('onClose', () => feed.close());
  // A write answered by this process has been heard by its feed before the answer leaves, so the writer's next read
  // here never gets a kept answer from before it. Only a signed-in caller can have written what is kept: a request
  // refused at the door (401) costs the database nothing.
  app.addHook('onSend', async (req) => {
    if (req.principal && !SAFE_METHODS.has(req.method)) await feed.sync();
  });
  await app.register(authGuard, { db: deps.db, feed });

  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  const features = [
    authRoutes,
    healthRoutes,
    overviewRoutes,
    partnerRoutes,
    findingRoutes,
    controlRoutes,
    runRoutes,
    suppressionRoutes,
    settingsRoutes,
    userRoutes,
    tokenRoutes,
    auditRoutes,
    exportRoutes,
    rootAccessWindowRoutes,
    alertRoutes,
  ];
  const estate = new EstateCache(deps.db, feed);
  for (const f of features) await app.register(f, { ...deps, estate, feed });

  const index = deps.webDist ? join(deps.webDist, 'index.html') : undefined;
  const hasWeb = !!index && existsSync(index);
  if (hasWeb)
    await app.register(fastifyStatic, {
      root: deps.webDist!,
      wildcard: true,
      index: ['index.html'],
      // Vite names every asset by its content hash: a browser may keep them for good. index.html (which names them)
      // keeps revalidating, so a new release is seen on the next load.
      setHeaders: (reply, path) => {
        if (/[\\/]assets[\\/]/.test(path)) reply.header('cache-control', 'public, max-age=31536000, immutable');
      },
    });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    // Client-side routes of the dashboard (anything outside /api) get its index page.
    if (hasWeb && (req.method === 'GET' || req.method === 'HEAD') && !path.startsWith('/api'))
      return reply.sendFile('index.html');
    return reply.code(404).send(errorBody(404, `no route ${req.method} ${path}`));
  });

  await app.ready();
  return app as unknown as FastifyInstance;
}

/** 503 for a request that was fine but met a database that could not serve it now: say when to come back. */
function retryLater(reply: FastifyReply, message: string) {
  return reply.code(503).header('retry-after', '5').send(errorBody(503, message));
}
