/**
 * Collection and scoring of a whole estate through the production path: the simulator over HTTP in its own process
 * (its CPU reported apart), the real SDK clients, BullMQ on Redis, the evaluation threads, and the database: PGlite in
 * a data folder (the embedded default) and, when DATABASE_URL is set, PostgreSQL too. Prints per database:
 *   {"bench":"collect-run", database, partners, payers, latencyMs, payersPerSecond, cpuMsPerPayer, simCpuMsPerPayer,
 *    peakRssMb, callsPerPayer, cpuFloorPayersPerSecond, verdictsCompared, verdictsDiffering, ...}
 *   {"bench":"score-run", database, partners, payers, findings, rescoreSeconds}  (scoreRun again, warm)
 * BENCH_PARTNERS (default 200), BENCH_LATENCY_MS (the simulator's added latency per call, default 20),
 * BENCH_CONCURRENCY (payers at once, default 32), BENCH_DATABASES ("pglite,postgres"; default pglite, plus postgres
 * when DATABASE_URL is set). Exits non-zero when any payer's verdicts differ from test/bench/baseline/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedQueuePrefix } from '@payerguard/cli/stack';
import { createLogger, loadConfig, openDatabase } from '@payerguard/core';
import { scoreRun } from '@payerguard/core/engine/score-run';
import { importRegistry } from '@payerguard/core/partners/import';
import { startRun, waitForRun } from '@payerguard/core/queue/runs';
import { startWorkers } from '@payerguard/workers';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { peakSampler, r2, repoRoot, startSimProcess } from './_processes.js';
import { compareVerdicts, readBaseline, verdictDigests } from './_verdicts.js';

const partners = Number(process.env.BENCH_PARTNERS ?? 200);
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 20);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const seed = 7;
const databases = (process.env.BENCH_DATABASES ?? (process.env.DATABASE_URL ? 'pglite,postgres' : 'pglite'))
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const baseline = readBaseline(join(repoRoot, 'test', 'bench', 'baseline', `verdicts-seed${seed}.json`));
const logger = createLogger('silent');

const sim = await startSimProcess({ partners, seed, latencyMs });
process.env.AWS_ENDPOINT_URL = sim.url;
process.env.AWS_ACCESS_KEY_ID ??= 'AKIABENCHHUB00000001';
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench-hub-secret';
const config = { ...loadConfig(), awsEndpointUrl: sim.url };
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
let failures = 0;

try {
  for (const kind of databases) {
    if (kind === 'postgres' && !config.databaseUrl) throw new Error('BENCH_DATABASES has postgres: set DATABASE_URL');
    const dataDir = kind === 'pglite' ? await mkdtemp(join(tmpdir(), 'pg-bench-data-')) : undefined;
    const database =
      kind === 'postgres'
        ? await openDatabase({ databaseUrl: config.databaseUrl, scratch: true })
        : await openDatabase({ dataDir: dataDir! });
    await database.migrate();
    const { db } = database;
    await importRegistry(db, sim.registry);
    const prefix = embeddedQueuePrefix(`memory://bench-${kind}`);
    const workers = await startWorkers({ db, config, logger, prefix, exports: false, concurrency });

    global.gc?.();
    const rss = peakSampler(() => process.memoryUsage().rss / 1024 / 1024);
    const stats0 = await sim.stats();
    const simCpu0 = sim.cpuMs();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const { runId, total } = await startRun({ db, connection: redis, prefix }, { trigger: 'cli' });
    const progress = await waitForRun(db, runId, { intervalMs: 200, timeoutMs: 6 * 3_600_000 });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const simCpuMs = sim.cpuMs() - simCpu0;
    const stats1 = await sim.stats();
    const peakRssMb = rss.peak();
    rss.stop();
    await workers.close();

    const payerMs = (
      (await db.execute(sql`
        select avg(extract(epoch from finished_at - started_at) * 1000)::float as avg,
          max(attempts)::int as "maxAttempts"
        from run_payers where run_id = ${runId}`)) as unknown as { rows: { avg: number; maxAttempts: number }[] }
    ).rows[0]!;
    const verdicts = baseline ? compareVerdicts(await verdictDigests(db, runId), baseline) : undefined;
    if (
      verdicts &&
      (verdicts.differing.length || (verdicts.missing.length && total >= Object.keys(baseline!.payers).length))
    )
      failures++;
    const cpuPerPayer = cpuMs / total;
    const simPerPayer = simCpuMs / total;
    const cores = availableParallelism();
    console.log(
      JSON.stringify({
        bench: 'collect-run',
        database: kind,
        partners,
        payers: total,
        latencyMs,
        concurrency,
        evaluationThreads: config.evaluationThreads,
        collected: progress?.collected,
        failed: progress?.failed,
        seconds: r2(seconds),
        payersPerSecond: r2(total / seconds),
        cpuMsPerPayer: r2(cpuPerPayer),
        simCpuMsPerPayer: r2(simPerPayer),
        peakRssMb: Math.round(peakRssMb),
        callsPerPayer: r2((stats1.requests - stats0.requests) / total),
        meanPayerMs: Math.round(payerMs.avg),
        maxAttempts: payerMs.maxAttempts,
        // What the cores allow if nothing else ran: every core busy with payerguard's and the simulator's CPU per payer.
        cpuFloorPayersPerSecond: r2((cores * 1000) / (cpuPerPayer + simPerPayer)),
        cores,
        verdictsCompared: verdicts?.compared ?? 0,
        verdictsDiffering: verdicts?.differing.length ?? null,
        ...(verdicts?.differing.length ? { differingPayers: verdicts.differing.slice(0, 10) } : {}),
        ...(verdicts?.missing.length ? { missingPayers: verdicts.missing.length } : {}),
      }),
    );

    const t1 = performance.now();
    const summary = (await scoreRun(db, runId)) as { findings?: { total?: number } };
    console.log(
      JSON.stringify({
        bench: 'score-run',
        database: kind,
        partners,
        payers: total,
        findings: summary.findings?.total,
        rescoreSeconds: r2((performance.now() - t1) / 1000),
      }),
    );
    await database.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
} finally {
  redis.disconnect();
  await sim.close();
}
if (failures) {
  console.error('collect-run: verdicts differ from test/bench/baseline (see differingPayers)');
  process.exitCode = 1;
}
