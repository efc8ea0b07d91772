import { type Config, createLogger, type Database, type Logger, loadConfig, openDatabase } from '@payerguard/core';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { buildServer } from './app.js';

export { buildServer } from './app.js';
export { type AuditEntry, audit } from './audit.js';
export { DEMO_PASSWORD, seedDemoUsers } from './demo-users.js';
export type { ServerDeps } from './deps.js';
export { createUser, listUsers } from './users.js';

export interface RunningApi {
  app: FastifyInstance;
  url: string;
  database: Database;
  close(): Promise<void>;
}

/**
 * The API on its own: opens the database (DATABASE_URL, else PGlite in DATA_DIR), migrates, connects Redis and
 * listens on PORT. With PGlite the database lives in this process only, so workers cannot share it: run the API and
 * workers in one process (`payerguard demo`) or use DATABASE_URL.
 */
export async function startApi(
  opts: { config?: Config; logger?: Logger; webDist?: string; database?: Database } = {},
): Promise<RunningApi> {
  const config = opts.config ?? loadConfig();
  const logger = opts.logger ?? createLogger(config.logLevel);
  const database =
    opts.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      // A restart or failover: requests answer 503 meanwhile (see the error handler) and the pool reconnects.
      onConnectionError: (e) => logger.warn({ err: e.message }, 'database connection lost; the pool reconnects'),
      // A request stuck behind a lock (a long write, a migration) answers 503 and frees its connection.
      statementTimeoutMs: config.apiStatementTimeoutMs,
    }));
  await database.migrate();
  // Redis down at start-up is not fatal: reads still work and /api/health reports "degraded" until it answers.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', (e: Error) => logger.warn({ err: e.message }, 'redis connection problem'));
  const app = await buildServer({
    db: database.db,
    config,
    logger,
    redis,
    ...(opts.webDist ? { webDist: opts.webDist } : {}),
  });
  await app.listen({ port: config.port, host: config.host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  return {
    app,
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`,
    database,
    async close() {
      await app.close();
      redis.disconnect();
      if (!opts.database) await database.close();
    },
  };
}
