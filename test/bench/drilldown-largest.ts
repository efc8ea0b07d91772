/**
 * The drill-down of the simulator's largest payer, through the real HTTP API after a real collection (the demo's
 * estate: 60 partners, seed 42, in PGlite): 50 sequential GETs after one warm-up. Prints
 *   {"bench":"drilldown-largest", partners, partnerId, payerAccountId, principals, escalationPaths, gets, p50Ms, p95Ms,
 *    viewReadP50Ms (reading the stored views alone), responseKb}
 * BENCH_PARTNERS (default 60) and BENCH_SEED (default 42) choose another estate.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedQueuePrefix } from '@payerguard/cli/stack';
import { createLogger, loadConfig, openDatabase } from '@payerguard/core';
import { importRegistry } from '@payerguard/core/partners/import';
import { isFinished, startRun, waitForRun } from '@payerguard/core/queue/runs';
import { payerViewsFor } from '@payerguard/core/read-model/payer-views-store';
import { buildServer } from '@payerguard/server/app';
import { seedDemoUsers } from '@payerguard/server/demo-users';
import { startSimulator } from '@payerguard/sim';
import { startWorkers } from '@payerguard/workers';
import { Redis } from 'ioredis';
import { r2 } from './_processes.js';

const partners = Number(process.env.BENCH_PARTNERS ?? 60);
const seed = Number(process.env.BENCH_SEED ?? 42);
const GETS = 50;
const logger = createLogger('silent');

const sim = await startSimulator({ port: 0, partners, seed });
process.env.AWS_ENDPOINT_URL = sim.url;
process.env.AWS_ACCESS_KEY_ID ??= 'AKIABENCHHUB00000001';
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench-hub-secret';
const dataDir = await mkdtemp(join(tmpdir(), 'pg-bench-drilldown-'));
const config = { ...loadConfig(), awsEndpointUrl: sim.url, demo: true, dataDir };
const database = await openDatabase({ dataDir });
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
const prefix = embeddedQueuePrefix(`memory://bench-drilldown-${process.pid}`);
try {
  await database.migrate();
  const { db } = database;
  await importRegistry(db, sim.registry());
  await seedDemoUsers(db);
  const workers = await startWorkers({ db, config, logger, prefix, exports: false });
  const { runId } = await startRun({ db, connection: redis, prefix }, { trigger: 'manual' });
  const progress = await waitForRun(db, runId, { timeoutMs: 1_800_000 });
  await workers.close();
  if (!isFinished(progress)) throw new Error(`run ${runId} did not finish`);

  // The largest payer: the most users and roles in its collected IAM evidence.
  const largest = sim.estate.payers
    .map((p) => ({
      p,
      size: (sim.estate.account(p.accountId)?.users.length ?? 0) + (sim.estate.account(p.accountId)?.roles.length ?? 0),
    }))
    .sort((a, b) => b.size - a.size)[0]!.p;

  const app = await buildServer({ db, config, logger, redis, queuePrefix: prefix });
  const login = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: 'analyst@demo.local', password: 'demo' },
  });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.statusCode} ${login.body}`);
  const cookie = [login.headers['set-cookie']]
    .flat()
    .filter(Boolean)
    .map((c) => String(c).split(';')[0])
    .join('; ');
  const get = () => app.inject({ method: 'GET', url: `/api/partners/${largest.partnerId}`, headers: { cookie } });
  const warm = await get();
  if (warm.statusCode !== 200) throw new Error(`drill-down answered ${warm.statusCode}`);
  const body = warm.json() as { principals: unknown[]; escalationPaths: unknown[] };
  const times: number[] = [];
  for (let i = 0; i < GETS; i++) {
    const t = performance.now();
    const r = await get();
    times.push(performance.now() - t);
    if (r.statusCode !== 200) throw new Error(`drill-down answered ${r.statusCode}`);
  }
  // The stored views' share of a GET: reading them from the database.
  const viewTimes: number[] = [];
  for (let i = 0; i < GETS; i++) {
    const t = performance.now();
    await payerViewsFor(db, runId, largest.partnerId);
    viewTimes.push(performance.now() - t);
  }
  const quantile = (xs: number[], f: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.ceil(f * s.length) - 1)]!;
  };
  const q = (f: number) => quantile(times, f);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'drilldown-largest',
      partners,
      partnerId: largest.partnerId,
      payerAccountId: largest.accountId,
      principals: body.principals.length,
      escalationPaths: body.escalationPaths.length,
      gets: GETS,
      p50Ms: r2(q(0.5)),
      p95Ms: r2(q(0.95)),
      viewReadP50Ms: r2(quantile(viewTimes, 0.5)),
      responseKb: Math.round(warm.body.length / 1024),
    })}\n`,
  );
  await app.close();
} finally {
  redis.disconnect();
  await database.close();
  await sim.close();
  await rm(dataDir, { recursive: true, force: true });
}
