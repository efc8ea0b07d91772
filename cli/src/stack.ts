import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Config, createLogger, type Logger, loadConfig, openDatabase } from '@payerguard/core';
import { installRoot } from '@payerguard/core/install-root';
import { importRegistry } from '@payerguard/core/partners/import';
import { isFinished, startRun, waitForRun } from '@payerguard/core/queue/runs';
import { buildServer } from '@payerguard/server/app';
import { seedDemoUsers } from '@payerguard/server/demo-users';
import { type Simulator, startSimulator } from '@payerguard/sim';
import { startWorkers, type WorkerDeps } from '@payerguard/workers';
import { Redis } from 'ioredis';
import { ensureRedis } from './redis.js';

export const repoRoot = installRoot(import.meta.url);
export const webDist = join(repoRoot, 'web', 'dist');

/** Builds the dashboard when web/dist is missing or older than its sources (a fresh clone has no build). */
export function ensureWebBuild(logger?: Logger): void {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  const index = join(webDist, 'index.html');
  const src = join(repoRoot, 'web', 'src');
  // The image ships web/dist without its sources: what is there is what runs.
  if (existsSync(index) && (!existsSync(src) || statSync(index).mtimeMs >= newest(src))) return;
  logger?.info('building the dashboard (web/dist)');
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], {
    cwd: join(repoRoot, 'web'),
    // Under vitest NODE_ENV is "test", and vite would build React's development bundle (double effects, slow).
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`building the dashboard failed:\n${r.stderr || r.stdout}`);
}

export interface StackOptions {
  partners?: number;
  seed?: number;
  /** 0 picks a free port. */
  port?: number;
  /** "memory://" for an in-memory PGlite (tests). */
  dataDir?: string;
  /** Start a first collection run at once. */
  firstRun?: boolean;
  /** Wait for the first run to finish before returning. */
  waitForFirstRun?: boolean;
  config?: Partial<Config>;
  logger?: Logger;
  queuePrefix?: string;
  /** Worker tunables tests turn down (alert retry backoff, root event long-poll wait). */
  workers?: Pick<WorkerDeps, 'alertRetry' | 'rootEventsWaitSeconds'>;
}

export interface Stack {
  url: string;
  config: Config;
  sim: Simulator;
  database: Awaited<ReturnType<typeof openDatabase>>;
  firstRunId?: string;
  close(): Promise<void>;
}

/**
 * Everything in one process: the AWS simulator, PGlite (or DATABASE_URL), the workers, the API serving the dashboard,
 * and the demo users. `npm run demo` and the browser tests both run exactly this.
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const base = loadConfig();
  const logger = opts.logger ?? createLogger(base.logLevel);
  const redis = await ensureRedis(opts.config?.redisUrl ?? base.redisUrl);
  const sim = await startSimulator({ port: 0, partners: opts.partners ?? 60, seed: opts.seed ?? 42 });
  // The product reaches the simulator only by endpoint, exactly as it reaches AWS.
  process.env.AWS_ENDPOINT_URL = sim.url;
  process.env.AWS_ACCESS_KEY_ID ??= 'AKIADEMOHUB000000001';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'demo-hub-secret-not-a-real-key';
  process.env.AWS_REGION ??= 'us-east-1';
  const config: Config = {
    ...base,
    ...opts.config,
    demo: true,
    redisUrl: redis.url,
    awsEndpointUrl: sim.url,
    dataDir: opts.dataDir ?? opts.config?.dataDir ?? base.dataDir,
    port: opts.port ?? opts.config?.port ?? base.port,
    // The simulator's hub queue: the root-activity monitor's live events (POST /_sim/root-activity feeds it).
    rootEventsQueueUrl: sim.hubQueueUrl,
  };
  process.env.ROOT_EVENTS_QUEUE_URL = sim.hubQueueUrl;
  // A throw-away stack (tests: dataDir "memory://") on a real Postgres gets a schema of its own, dropped on close, so
  // concurrent test files never see each other's partners.
  const scratch = !!config.databaseUrl && config.dataDir.startsWith('memory://');
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, scratch });
  await database.migrate();
  const { db } = database;
  // The embedded data folder belongs to the demo: make its registry the simulator's exactly, so a demo started again
  // with fewer partners does not keep (and lock out) the ones the simulator no longer has. A shared Postgres is
  // never pruned.
  const ownsDatabase = database.kind === 'pglite' || scratch;
  await importRegistry(db, sim.registry(), { prune: ownsDatabase });
  await seedDemoUsers(db);
  ensureWebBuild(logger);

  // PGlite lives in this process only, so its jobs must never reach another process's workers that share the Redis:
  // give each embedded data folder its own queue prefix.
  const prefix = opts.queuePrefix ?? (ownsDatabase ? embeddedQueuePrefix(config.dataDir) : undefined);
  // The API answers from this process, on the event loop the workers use: collection gives way while it is in use.
  let apiLastRequestAt = 0;
  const workers = await startWorkers({
    db,
    config,
    logger,
    apiLastRequestAt: () => apiLastRequestAt,
    ...opts.workers,
    ...(prefix ? { prefix } : {}),
  });
  const redisClient = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const app = await buildServer({
    db,
    config,
    logger,
    redis: redisClient,
    webDist,
    onRequest: () => {
      apiLastRequestAt = Date.now();
    },
    ...(prefix ? { queuePrefix: prefix } : {}),
  });
  await app.listen({ port: config.port, host: config.host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;

  let firstRunId: string | undefined;
  if (opts.firstRun ?? true) {
    const run = await startRun({ db, connection: redisClient, ...(prefix ? { prefix } : {}) }, { trigger: 'demo' });
    firstRunId = run.runId;
    if (opts.waitForFirstRun) await waitForFinishedRun(database.db, run.runId);
  }

  return {
    url,
    config,
    sim,
    database,
    firstRunId,
    async close() {
      await app.close();
      await workers.close();
      redisClient.disconnect();
      await database.close();
      await sim.close();
      redis.stop();
    },
  };
}

export function embeddedQueuePrefix(dataDir: string): string {
  const where = dataDir.startsWith('memory://') ? `${dataDir}${process.pid}${Date.now()}` : resolve(dataDir);
  return `payerguard-${createHash('sha256').update(where).digest('hex').slice(0, 10)}`;
}

/** Waits for a run to finish; throws when it has not within `timeoutMs`. */
export async function waitForFinishedRun(db: Stack['database']['db'], runId: string, timeoutMs = 600_000) {
  const p = await waitForRun(db, runId, { timeoutMs });
  if (!isFinished(p)) throw new Error(`run ${runId} did not finish within ${timeoutMs} ms: ${JSON.stringify(p)}`);
  return p!;
}
