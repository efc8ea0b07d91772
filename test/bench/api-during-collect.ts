/**
 * The dashboard while a run works: the API, the workers (with their evaluation threads) and PGlite in one process,
 * as `npm run demo` runs them, with the simulator in its own process. A first run fills the database; during a
 * second run of the whole estate, a signed-in admin loads the overview over and over. Prints:
 *   {"bench":"api-during-collect", partners, payers, latencyMs, requests, p50Ms, p95Ms, maxMs,
 *    eventLoopDelayP99Ms, runSeconds}
 * BENCH_PARTNERS (default 1000), BENCH_LATENCY_MS (default 20), BENCH_CONCURRENCY (default 32). Target: p95 < 200 ms.
 * BENCH_DURING_SECONDS bounds the second run (the overview is measured for that long while it works; then the rest of
 * the run is cancelled); peakRssMb is the process's (API, workers, evaluation threads and PGlite) over both runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { embeddedQueuePrefix } from '@payerguard/cli/stack';
import { createLogger, loadConfig, openDatabase } from '@payerguard/core';
import { importRegistry } from '@payerguard/core/partners/import';
import { QUEUES } from '@payerguard/core/queue/names';
import { isFinished, startRun, waitForRun } from '@payerguard/core/queue/runs';
import { buildServer } from '@payerguard/server/app';
import { DEMO_PASSWORD, seedDemoUsers } from '@payerguard/server/demo-users';
import { startWorkers } from '@payerguard/workers';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { peakSampler, r2, startSimProcess } from './_processes.js';

const partners = Number(process.env.BENCH_PARTNERS ?? 1000);
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 20);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const duringSeconds = Number(process.env.BENCH_DURING_SECONDS ?? 6 * 3600);
const logger = createLogger('silent');

const sim = await startSimProcess({ partners, seed: 7, latencyMs });
process.env.AWS_ENDPOINT_URL = sim.url;
process.env.AWS_ACCESS_KEY_ID ??= 'AKIABENCHHUB00000001';
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench-hub-secret';
const dataDir = await mkdtemp(join(tmpdir(), 'pg-bench-api-'));
const config = { ...loadConfig(), awsEndpointUrl: sim.url, demo: true, dataDir, port: 0 };
const database = await openDatabase({ dataDir });
await database.migrate();
const { db } = database;
await importRegistry(db, sim.registry);
await seedDemoUsers(db);
const prefix = embeddedQueuePrefix(dataDir);
// Wired as cli/src/stack.ts wires them: collection gives way while the API is in use (workers/src/dashboard-first.ts).
let apiLastRequestAt = 0;
const workers = await startWorkers({
  db,
  config,
  logger,
  prefix,
  exports: false,
  concurrency,
  apiLastRequestAt: () => apiLastRequestAt,
});
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
const app = await buildServer({
  db,
  config,
  logger,
  redis,
  queuePrefix: prefix,
  onRequest: () => {
    apiLastRequestAt = Date.now();
  },
});
await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

try {
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@demo.local', password: DEMO_PASSWORD }),
  });
  if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const cookie = (login.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');

  global.gc?.();
  const rss = peakSampler(() => process.memoryUsage().rss / 1024 / 1024);
  // A first run so the overview has partners, scores and history to show.
  const first = await startRun({ db, connection: redis, prefix }, { trigger: 'cli' });
  await waitForRun(db, first.runId, { intervalMs: 500, timeoutMs: 6 * 3_600_000 });

  const loop = monitorEventLoopDelay({ resolution: 10 });
  const t0 = performance.now();
  const { runId, total } = await startRun({ db, connection: redis, prefix }, { trigger: 'cli' });
  loop.enable();
  const times: number[] = [];
  let done = false;
  let payersDone = 0;
  const watcher = waitForRun(db, runId, {
    intervalMs: 500,
    timeoutMs: duringSeconds * 1000,
    onProgress: (p) => {
      payersDone = p.done;
    },
  }).then((p) => {
    done = true;
    return p;
  });
  // One dashboard user reloading the overview back to back, as long as the run works.
  while (!done) {
    const s = performance.now();
    const r = await fetch(`${base}/api/overview`, { headers: { cookie } });
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`overview answered ${r.status}`);
    times.push(performance.now() - s);
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const progress = await watcher;
  loop.disable();
  const runSeconds = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
  console.log(
    JSON.stringify({
      bench: 'api-during-collect',
      database: 'pglite',
      partners,
      payers: total,
      latencyMs,
      evaluationThreads: config.evaluationThreads,
      finished: isFinished(progress),
      payersDoneWhileMeasured: progress?.done ?? payersDone,
      peakRssMb: Math.round(rss.peak()),
      requests: times.length,
      p50Ms: r2(q(0.5)),
      p95Ms: r2(q(0.95)),
      maxMs: r2(times.at(-1) ?? 0),
      eventLoopDelayP99Ms: r2(loop.percentile(99) / 1e6),
      runSeconds: r2(runSeconds),
    }),
  );
  rss.stop();
  if (!isFinished(progress))
    for (const name of [QUEUES.runs, QUEUES.payers]) {
      const q = new Queue(name, { connection: redis, prefix });
      await q.pause();
      await q.drain(true);
      await q.close();
    }
} finally {
  await app.close();
  await workers.close();
  redis.disconnect();
  await database.close();
  await sim.close();
  await rm(dataDir, { recursive: true, force: true });
}
