/**
 * `npm run bench api`: the read side at estate scale. Seeds BENCH_PARTNERS (default 10,000) partners x
 * BENCH_HISTORY_DAYS (default 90) days of daily runs through the product's write path (test/bench/_history.ts) into
 * PostgreSQL when DATABASE_URL is set (a scratch schema, dropped at the end) and PGlite otherwise, collects the
 * simulator's largest payer through a real run, then drives the real API on loopback, signed in as an admin (undici
 * keep-alive connections in a process of their own: test/bench/_load.ts), and loads the dashboard's overview in
 * headless Chromium. Prints:
 *   {"bench":"api-seed", database, partners, historyDays, outcomes, evaluations, seconds, bytesPerDay,
 *    yearAt10kPartnersGb, ...}
 *   {"bench":"api-drilldown-warm", partners, seconds, msPerPartner}: every partner's drill-down built and stored, as
 *     the run's parent job does after scoring (core/src/read-model/drilldown/stored.ts)
 *   {"bench":"api-overview" | "api-findings" | "api-drilldown", partners, historyDays, connections, p50Ms, p95Ms, rps}
 *     (api-drilldown: one lap of every partner, each asked for the first time in this API process: the stored body;
 *     its first fifth warms the process and is not timed: warmupRequests, and withWarmupP95Ms counting it)
 *   {"bench":"api-drilldown-repeat", ...}: the drill-down over 200 partners asked again and again (kept answers)
 *   {"bench":"api-drilldown-build", ...}: every partner in turn with a history length that is never stored
 *     (?history=89, then 88, ... a new length each lap): each answer built on request, as after a change
 *   {"bench":"api-drilldown-largest", payer, requests, p50Ms, p95Ms, bytes}
 *   {"bench":"web-overview", partners, historyDays, moment, renderMs, webOverviewMs, apiWaitMs, samples, median}
 *     (renderMs: navigation to the totals and the first page of partner rows painted; webOverviewMs: the page's own
 *     part, apiWaitMs: the time it waited on the API requests it needs; see test/bench/_web-overview.ts)
 * Targets (issue 14): overview p95 <= 50 ms; drill-down p95 <= 20 ms and >= 1,000 rps; largest drill-down < 50 ms;
 * a year of daily history for 10,000 partners < 50 GB; overview rendered in < 1.5 s.
 * Also: BENCH_DRIFT (share of payers changing a day, default 0.03), BENCH_SEED_CONCURRENCY (default 8),
 * BENCH_API_SECONDS (load duration per route, default 10), BENCH_WEB=0 skips the browser step.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedQueuePrefix, ensureWebBuild } from '@payerguard/cli/stack';
import { createLogger, loadConfig, openDatabase } from '@payerguard/core';
import { importRegistry } from '@payerguard/core/partners/import';
import { isFinished, startRun, waitForRun } from '@payerguard/core/queue/runs';
import { warmDrilldowns } from '@payerguard/core/read-model/drilldown/stored';
import { loadSettings } from '@payerguard/core/settings-store';
import { buildServer } from '@payerguard/server/app';
import { createUser } from '@payerguard/server/users';
import { startWorkers } from '@payerguard/workers';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { seedHistory } from './_history.js';
import { r2, repoRoot, startSimProcess } from './_processes.js';
import { databaseBytes, directoryBytes, growthPerDay, tableBytes } from './_sizes.js';
import { measureOverview } from './_web-overview.js';

const partners = Number(process.env.BENCH_PARTNERS ?? 10_000);
const historyDays = Number(process.env.BENCH_HISTORY_DAYS ?? 90);
const drift = Number(process.env.BENCH_DRIFT ?? 0.03);
const concurrency = Number(process.env.BENCH_SEED_CONCURRENCY ?? 8);
const seconds = Number(process.env.BENCH_API_SECONDS ?? 10);
const withWeb = process.env.BENCH_WEB !== '0';
for (const [name, v, min] of [
  ['BENCH_PARTNERS', partners, 1],
  ['BENCH_HISTORY_DAYS', historyDays, 1],
  ['BENCH_SEED_CONCURRENCY', concurrency, 1],
  ['BENCH_API_SECONDS', seconds, 1],
] as const)
  if (!Number.isInteger(v) || v < min) throw new Error(`${name}: expected an integer >= ${min}, got ${v}`);
if (!(drift >= 0 && drift <= 1)) throw new Error(`BENCH_DRIFT: expected a share between 0 and 1, got ${drift}`);

const logger = createLogger('silent');
const kind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const base = process.env.DATA_DIR ?? tmpdir();
mkdirSync(base, { recursive: true });
const dataDir = kind === 'pglite' ? await mkdtemp(join(base, 'pg-bench-api-')) : undefined;
const database =
  kind === 'postgres'
    ? await openDatabase({ databaseUrl: process.env.DATABASE_URL!, scratch: true })
    : await openDatabase({ dataDir: dataDir! });
await database.migrate();
const { db } = database;
const common = { database: kind, partners, historyDays };
const line = (o: Record<string, unknown>) => console.log(JSON.stringify(o));

const cleanups: (() => Promise<unknown>)[] = [];
try {
  // ---- seed
  const size0 = await databaseBytes(db);
  // The first day stores every document once; later days only what changed. A year costs the first day plus 364 of
  // the later ones, so the two are measured apart.
  let afterFirstDay = size0;
  let tablesAfterFirstDay = await tableBytes(db);
  const t0 = performance.now();
  const seeded = await seedHistory(db, {
    partners,
    days: historyDays,
    drift,
    concurrency,
    end: new Date(Date.now() - 86_400_000),
    settings: await loadSettings(db),
    onDay: async (day, s) => {
      if (day === 0) {
        afterFirstDay = await databaseBytes(db);
        tablesAfterFirstDay = await tableBytes(db);
      }
      if (process.env.BENCH_VERBOSE)
        console.error(`day ${day + 1}/${historyDays} in ${r2(s)} s, ${(await databaseBytes(db)).relations} bytes`);
    },
  });
  const seedSeconds = (performance.now() - t0) / 1000;
  const size1 = await databaseBytes(db);
  const firstDayBytes = afterFirstDay.relations - size0.relations;
  // Growth per further day of history; with one day there is nothing further to measure, so the first day stands in.
  const bytesPerDay = historyDays > 1 ? (size1.relations - afterFirstDay.relations) / (historyDays - 1) : firstDayBytes;
  line({
    bench: 'api-seed',
    ...common,
    drift,
    outcomes: seeded.outcomes,
    carried: seeded.carried,
    evaluations: seeded.evaluations,
    requestIdsPerPayer: seeded.requestIdsPerPayer,
    requestIdsJsonBytes: seeded.requestIdsJsonBytes,
    seconds: r2(seedSeconds),
    outcomesPerSecond: r2(seeded.outcomes / seedSeconds),
    // Growth of every table and index of the schema (heap, TOAST, indexes): the first day, then per further day.
    firstDayBytes,
    bytesPerDay: Math.round(bytesPerDay),
    relationBytes: size1.relations,
    databaseBytes: size1.database,
    ...(dataDir ? { dataDirBytes: await directoryBytes(dataDir) } : {}),
    // A year of daily runs at 10,000 partners, scaled linearly from this estate (target < 50 GB).
    yearAt10kPartnersGb: r2(((firstDayBytes + bytesPerDay * 364) * (10_000 / partners)) / 1e9),
    // Where a further day goes: per table (heap, TOAST, indexes) per day, and bytes per partner per day.
    ...(historyDays > 1
      ? { growthPerDay: growthPerDay(tablesAfterFirstDay, await tableBytes(db), historyDays - 1, partners) }
      : {}),
  });

  // ---- every partner's drill-down stored, as the run's parent job does once a run is scored
  const warmStarted = performance.now();
  const warmed = await warmDrilldowns(db, [...new Set(seeded.payers.map((p) => p.partnerId))]);
  const warmSeconds = (performance.now() - warmStarted) / 1000;
  line({
    bench: 'api-drilldown-warm',
    ...common,
    warmed,
    seconds: r2(warmSeconds),
    msPerPartner: r2((warmSeconds * 1000) / Math.max(1, warmed)),
    // One row per partner and variant, replaced by each run: it does not grow with history.
    tableBytes: (({ heap, toast, indexes }) => heap + toast + indexes)(
      (await tableBytes(db)).drilldown_bodies ?? { heap: 0, toast: 0, indexes: 0, rows: 0 },
    ),
  });

  // ---- the largest simulator payer, through a real collection run (BullMQ, SDK v3 against the simulator)
  const config = { ...loadConfig(), ...(dataDir ? { dataDir } : {}), port: 0 };
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  cleanups.push(async () => redis.disconnect());
  const prefix = embeddedQueuePrefix(dataDir ?? `memory://bench-api-${kind}`);
  const largest = await collectLargest(config, redis, prefix);

  // ---- the API, signed in as an admin
  const webDist = join(repoRoot, 'web', 'dist');
  // Builds web/dist when it is older than web/src, as `npm run demo` does.
  if (withWeb) ensureWebBuild();
  const app = await buildServer({
    db,
    config,
    logger,
    redis,
    queuePrefix: prefix,
    ...(withWeb && existsSync(webDist) ? { webDist } : {}),
  });
  await app.listen({ port: Number(process.env.BENCH_API_PORT ?? 0), host: '127.0.0.1' });
  cleanups.unshift(() => app.close());
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const email = 'bench-admin@bench.local';
  const password = `bench-${Math.random().toString(36).slice(2)}-password`;
  await createUser(db, { email, password, role: 'admin', name: 'Bench admin' });
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const cookie = (login.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');

  // One request of each first: a wrong answer must stop the bench, not be timed.
  for (const path of [
    '/api/overview?limit=50',
    '/api/findings?limit=50',
    `/api/partners/${seeded.payers[0]!.partnerId}`,
  ]) {
    const r = await fetch(`${url}${path}`, { headers: { cookie } });
    if (!r.ok) throw new Error(`${path} answered ${r.status}: ${(await r.text()).slice(0, 200)}`);
    await r.arrayBuffer();
  }

  const overview = await drive(url, cookie, 10, ['/api/overview?limit=50']);
  line({ bench: 'api-overview', ...common, ...overview });
  const findings = await drive(url, cookie, 10, ['/api/findings?limit=50']);
  line({ bench: 'api-findings', ...common, ...findings });
  // Round the partners in a shuffled order, so neighbouring requests do not read neighbouring rows.
  const ids = seeded.payers.map((p) => `/api/partners/${p.partnerId}`).sort(() => Math.random() - 0.5);
  // One lap, each partner once: every answer one this process does not hold yet (stored body, or built). The first
  // fifth of the lap warms the process (JIT, pool connections) and is not timed; the line also gives the p95 with it.
  const drill = await drive(url, cookie, 50, ids, ids.length, Math.floor(ids.length / 5));
  line({ bench: 'api-drilldown', ...common, ...drill });
  // The same route over the 200 partners an analyst team has open (each answered before: its kept bytes are served
  // while nothing of it changed). The line above is the other end: every request a partner not asked for yet.
  const drillRepeat = await drive(url, cookie, 50, ids.slice(0, 200));
  line({ bench: 'api-drilldown-repeat', ...common, partnersAsked: Math.min(200, ids.length), ...drillRepeat });
  // Built on request: the drill-down of a partner whose rows changed since its body was stored costs this.
  const drillBuild = await drive(
    url,
    cookie,
    50,
    ids.map((p) => `${p}?history=89`),
  );
  line({ bench: 'api-drilldown-build', ...common, ...drillBuild });

  // 50 requests one after the other, as one analyst opening the page again and again.
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 50; i++) {
    const s = performance.now();
    const r = await fetch(`${url}/api/partners/${largest.partnerId}`, { headers: { cookie } });
    const body = await r.arrayBuffer();
    if (!r.ok) throw new Error(`largest drill-down answered ${r.status}`);
    times.push(performance.now() - s);
    bytes = body.byteLength;
  }
  line({
    bench: 'api-drilldown-largest',
    ...common,
    partner: largest.partnerId,
    payer: largest.payerAccountId,
    evidenceBytes: largest.evidenceBytes,
    requests: times.length,
    p50Ms: r2(quantile(times, 0.5)),
    p95Ms: r2(quantile(times, 0.95)),
    bytes,
  });

  if (withWeb)
    line({
      bench: 'web-overview',
      ...common,
      ...(await measureOverview(url, email, password, { screenshot: `bench-overview-${partners}.png` })),
    });
} finally {
  for (const c of cleanups) await c().catch((e) => console.error(`cleanup: ${(e as Error).message}`));
  await database.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
}

/**
 * The load generator (test/bench/_load.ts) in a child process for `seconds` (or exactly `amount` requests) with
 * `connections`, going round `paths`. The API answers in this process while the child runs, so the wait must not block
 * the event loop.
 */
async function drive(
  url: string,
  cookie: string,
  connections: number,
  paths: string[],
  amount?: number,
  warmup?: number,
) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'bench', '_load.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.end(
    JSON.stringify({
      url,
      cookie,
      connections,
      seconds,
      paths,
      ...(amount ? { amount } : {}),
      ...(warmup ? { warmup } : {}),
    }),
  );
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((ok) => child.once('exit', ok));
  if (code !== 0) throw new Error(`the load generator exited ${code}`);
  const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
    mode: string;
    requests: number;
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
    rps: number;
    warmupRequests?: number;
    withWarmupP95Ms?: number;
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  // A wrong answer or a failed connection stops the bench; a slow answer is a figure (timeouts are reported).
  if (r.non2xx) throw new Error(`load on ${paths[0]}: ${r.non2xx} answers were not 2xx`);
  if (r.errors) throw new Error(`load on ${paths[0]}: ${r.errors} requests failed (connection refused or reset)`);
  return {
    connections,
    seconds,
    mode: r.mode,
    requests: r.requests,
    p50Ms: r.p50Ms,
    p95Ms: r.p95Ms,
    p99Ms: r.p99Ms,
    rps: r.rps,
    ...(r.warmupRequests ? { warmupRequests: r.warmupRequests, withWarmupP95Ms: r.withWarmupP95Ms } : {}),
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

/**
 * The simulator's large-payer profile collected through a real run: its partner is imported from the simulator's
 * registry, a run of that partner goes through BullMQ and the workers (SDK v3 against the simulator), and scoreRun.
 */
async function collectLargest(config: ReturnType<typeof loadConfig>, redis: Redis, prefix: string) {
  // Every estate of PROFILES.length+ partners has each profile once among its first partners (sim/src/estate).
  const sim = await startSimProcess({ partners: 40, seed: 7, latencyMs: 0 });
  cleanups.push(() => sim.close());
  process.env.AWS_ENDPOINT_URL = sim.url;
  process.env.AWS_ACCESS_KEY_ID ??= 'AKIABENCHHUB00000001';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench-hub-secret';
  const estate = (await (await fetch(`${sim.url}/_sim/estate`)).json()) as {
    partners: { id: string; profiles: string[]; payerAccountIds: string[] }[];
  };
  const large = estate.partners.find((p) => p.profiles.includes('large-payer'));
  if (!large) throw new Error('the simulator estate has no large-payer partner');
  await importRegistry(
    db,
    sim.registry.filter((e) => e.partnerId === large.id),
  );
  const workers = await startWorkers({
    db,
    config: { ...config, awsEndpointUrl: sim.url },
    logger,
    prefix,
    exports: false,
    concurrency: 4,
  });
  try {
    const { runId } = await startRun({ db, connection: redis, prefix }, { trigger: 'cli', partnerIds: [large.id] });
    const progress = await waitForRun(db, runId, { intervalMs: 200, timeoutMs: 600_000 });
    if (!isFinished(progress) || progress?.collected !== progress?.total)
      throw new Error(`the large payer's run did not collect: ${JSON.stringify(progress)}`);
  } finally {
    await workers.close();
  }
  const payerAccountId = large.payerAccountIds[0]!;
  const evidenceBytes = await evidenceSize(payerAccountId);
  return { partnerId: large.id, payerAccountId, evidenceBytes };
}

/** How big the large payer's evidence is, as JSON (what the drill-down has to read). */
async function evidenceSize(payerAccountId: string): Promise<number | null> {
  try {
    const r = (await db.execute(
      sql`select max(octet_length(data::text))::int as n from evidence where payer_account_id = ${payerAccountId}`,
    )) as unknown as { rows: { n: number | null }[] };
    return r.rows[0]?.n ?? null;
  } catch {
    // The storage layout may have moved on (content-addressed evidence): the size is a note, not a figure we need.
    return null;
  }
}
