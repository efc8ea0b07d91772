import { Writable } from 'node:stream';
import { type Config, type Database, loadConfig, REDACT_PATHS } from '@payerguard/core';
import { testDatabase, testQueuePrefix } from '@payerguard/core/testing/db';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { buildServer } from '../app.js';
import type { ServerDeps } from '../deps.js';
import { SECRETS, seedFixtures } from './fixtures.js';

export interface Harness {
  app: FastifyInstance;
  database: Database;
  redis: Redis;
  prefix: string;
  /** Every log line the server wrote. */
  logs: string[];
  close(): Promise<void>;
}

/** One migrated database with the fixtures, a real Redis, and the API with its log captured. */
export async function startHarness(
  over: { config?: Partial<Config>; options?: ServerDeps['options']; onRequest?: () => void } = {},
): Promise<Harness> {
  const database = await testDatabase();
  await seedFixtures(database.db);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const logger = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const prefix = testQueuePrefix();
  const config: Config = {
    ...loadConfig({}),
    // A closed port: STS calls fail fast and visibly instead of reaching real AWS.
    awsEndpointUrl: 'http://127.0.0.1:9',
    ...over.config,
  };
  const app = await buildServer({
    db: database.db,
    config,
    logger,
    redis,
    queuePrefix: prefix,
    options: { runEventsIntervalMs: 50, ...over.options },
    ...(over.onRequest ? { onRequest: over.onRequest } : {}),
  });
  return {
    app,
    database,
    redis,
    prefix,
    logs,
    async close() {
      await app.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await database.close();
    },
  };
}

export interface Login {
  cookie: string;
  csrf: string;
}

export async function login(app: FastifyInstance, email: string, password = SECRETS.password): Promise<Login> {
  const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  if (r.statusCode !== 200) throw new Error(`login ${email}: ${r.statusCode} ${r.body}`);
  const set = r.headers['set-cookie'];
  const cookie = String(Array.isArray(set) ? set[0] : set).split(';')[0]!;
  return { cookie, csrf: r.json().csrfToken };
}

/** Headers for a cookie session, with the CSRF token unsafe methods need. */
export const asSession = (l: Login) => ({ cookie: l.cookie, 'x-csrf-token': l.csrf });

export const json = (r: LightMyRequestResponse) => {
  try {
    return r.json();
  } catch {
    return undefined;
  }
};
