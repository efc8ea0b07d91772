/**
 * Collection and scoring of a whole estate through the production path: the simulator over HTTP in its own process
 * (its CPU reported apart), the real SDK clients, BullMQ on Redis, the evaluation threads, and the database: PGlite in
 * a data folder (the embedded default) and, when DATABASE_URL is set, PostgreSQL too. Prints per database:
 *   {"bench":"collect-run", database, partners, payers, latencyMs, payersPerSecond, cpuMsPerPayer (this process, every
 *    thread), mainThreadCpuMsPerPayer / evaluationCpuMsPerPayer (the event loop vs the evaluation threads),
 *    simCpuMsPerPayer (the simulator's process, apart), peakRssMb, callsPerPayer, the floors below, verdicts...}
 * Floors, measured before the run on the first payers with collection alone (no database, no evaluation):
 *   collectCpuMsPerCall / simCpuMsPerCall: CPU of one AWS call on our side (SDK, signing, HTTP) and the simulator's;
 *   callFloorPayersPerSecond = cores x 1000 / ((collectCpuMsPerCall + simCpuMsPerCall) x callsPerPayer): what the
 *     cores allow for the calls alone, before any evaluation or storage;
 *   criticalPathMs: one payer collected alone (calls in sequence x latency, plus their CPU), criticalPathCalls the
 *     same in calls of latencyMs; latencyFloorPayersPerSecond = concurrency x 1000 / criticalPathMs;
 *   cpuFloorPayersPerSecond = cores x 1000 / (cpuMsPerPayer + simCpuMsPerPayer): what the whole run's CPU allows.
 *   {"bench":"collect-run-again", database, partners, payers, seconds, payersPerSecond, cpuMsPerPayer, ...}: a second
 *    run of the same estate by the same workers, the daily steady state (BENCH_AGAIN=0 skips it); verdicts compared too
 *   {"bench":"score-run", database, partners, payers, findings, rescoreSeconds}  (scoreRun again, warm)
 * Memory over the run (is it flat with the estate?): {"bench":"collect-run-rss", database, partners, samples: [[seconds,
 *   payers done, RSS MB, JS heap used MB, external MB (PGlite's WASM heap is here)], ...] every BENCH_RSS_SAMPLE_SECONDS
 *   (default 10), rssMbAt (RSS when a quarter, half, three quarters and all of the payers done so far were done) and
 *   rssMbPer1000PayersSecondHalf (the slope of RSS against payers over the second half of the run)}.
 * BENCH_MAX_SECONDS bounds the run (a partial run of a large estate: the figures are those of the payers done by then;
 *   the rest of the run is cancelled; the run is not scored, so there is no verdict comparison and no score-run line).
 * BENCH_PARTNERS (default 200), BENCH_LATENCY_MS (the simulator's added latency per call, default 20),
 * BENCH_CONCURRENCY (payers at once, default 32), BENCH_DATABASES ("pglite,postgres"; default pglite, plus postgres
 * when DATABASE_URL is set). Exits non-zero when any payer's verdicts differ from test/bench/baseline/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedQueuePrefix } from '@payerguard/cli/stack';
import { createLogger, defaultSettings, loadConfig, openDatabase } from '@payerguard/core';
import { scoreRun } from '@payerguard/core/engine/score-run';
import { importRegistry } from '@payerguard/core/partners/import';
import { QUEUES } from '@payerguard/core/queue/names';
import { isFinished, startRun, waitForRun } from '@payerguard/core/queue/runs';
import { collectPayer, startWorkers } from '@payerguard/workers';
import { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { peakSampler, processCpuMs, r2, repoRoot, startSimProcess, threadCpuMs } from './_processes.js';
import { compareVerdicts, readBaseline, verdictDigests } from './_verdicts.js';

const partners = Number(process.env.BENCH_PARTNERS ?? 200);
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 20);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const maxSeconds = Number(process.env.BENCH_MAX_SECONDS ?? 6 * 3600);
const rssEverySeconds = Number(process.env.BENCH_RSS_SAMPLE_SECONDS ?? 10);
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
const floors = await measureFloors();

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
    const measured = await startMeasuring();
    const t0 = performance.now();
    const { runId, total } = await startRun({ db, connection: redis, prefix }, { trigger: 'cli' });
    let payersDone = 0;
    const samples: number[][] = [];
    const sampleMemory = () => {
      const m = process.memoryUsage();
      const mb = (b: number) => Math.round(b / 1024 / 1024);
      samples.push([
        Math.round((performance.now() - t0) / 1000),
        payersDone,
        mb(m.rss),
        mb(m.heapUsed),
        mb(m.external),
      ]);
    };
    const sampler = setInterval(sampleMemory, rssEverySeconds * 1000);
    // Polled once a second: the progress query reads every run_payers row of the run, a cost of the bench, not of a run.
    const progress = await waitForRun(db, runId, {
      intervalMs: 1000,
      timeoutMs: maxSeconds * 1000,
      onProgress: (p) => {
        payersDone = p.done;
      },
    });
    payersDone = progress?.done ?? payersDone;
    sampleMemory();
    clearInterval(sampler);
    const partial = !isFinished(progress);
    const { seconds, cpuMs, mainMs, simCpuMs, simRequests } = await measured();
    const peakRssMb = rss.peak();
    rss.stop();
    if (partial) await cancelRun(prefix);
    // scoreRun again, warm, while this run is still the latest (re-scoring an older run evaluates its payers again).
    if (!partial) await runJobsIdle(prefix);
    const rescore = partial ? undefined : await timeRescore(db, runId);
    // The daily steady state: the same estate again, in the same worker process (BENCH_AGAIN=0 skips it).
    const again = !partial && process.env.BENCH_AGAIN !== '0' ? await runAgain(db, prefix) : undefined;
    await workers.close();
    if (partial) await forgetQueues(prefix);

    const payerMs = (
      (await db.execute(sql`
        select avg(extract(epoch from finished_at - started_at) * 1000)::float as avg,
          max(attempts)::int as "maxAttempts"
        from run_payers where run_id = ${runId}`)) as unknown as { rows: { avg: number; maxAttempts: number }[] }
    ).rows[0]!;
    const verdicts = baseline ? compareVerdicts(await verdictDigests(db, runId), baseline) : undefined;
    if (
      verdicts &&
      (verdicts.differing.length ||
        (!partial && verdicts.missing.length && total >= Object.keys(baseline!.payers).length))
    )
      failures++;
    // Per payer done: a partial run's figures are those of the payers it finished.
    const done = partial ? Math.max(1, payersDone) : total;
    const cpuPerPayer = cpuMs / done;
    const callsPerPayer = simRequests / done;
    const simPerPayer = simCpuMs / done;
    const cores = availableParallelism();
    console.log(
      JSON.stringify({
        bench: 'collect-run',
        database: kind,
        partners,
        payers: total,
        ...(partial ? { partial: true, payersDone: done, maxSeconds } : {}),
        latencyMs,
        concurrency,
        evaluationThreads: config.evaluationThreads,
        collected: progress?.collected,
        failed: progress?.failed,
        seconds: r2(seconds),
        payersPerSecond: r2(done / seconds),
        cpuMsPerPayer: r2(cpuPerPayer),
        mainThreadCpuMsPerPayer: r2(mainMs / done),
        evaluationCpuMsPerPayer: r2((cpuMs - mainMs) / done),
        simCpuMsPerPayer: r2(simPerPayer),
        peakRssMb: Math.round(peakRssMb),
        callsPerPayer: r2(callsPerPayer),
        meanPayerMs: Math.round(payerMs.avg),
        maxAttempts: payerMs.maxAttempts,
        // Payer outcomes per database transaction (group commit across the payer jobs in flight).
        outcomesPerBatch: r2(workers.outcomeStats.outcomes / Math.max(1, workers.outcomeStats.batches)),
        // What the cores allow if nothing else ran: every core busy with payerguard's and the simulator's CPU per payer.
        cpuFloorPayersPerSecond: r2((cores * 1000) / (cpuPerPayer + simPerPayer)),
        cores,
        collectCpuMsPerCall: r2(floors.cpuMsPerCall),
        simCpuMsPerCall: r2(floors.simCpuMsPerCall),
        callFloorPayersPerSecond: r2((cores * 1000) / ((floors.cpuMsPerCall + floors.simCpuMsPerCall) * callsPerPayer)),
        criticalPathMs: Math.round(floors.criticalPathMs),
        criticalPathCalls: r2(floors.criticalPathMs / Math.max(1, latencyMs)),
        latencyFloorPayersPerSecond: r2((concurrency * 1000) / floors.criticalPathMs),
        verdictsCompared: verdicts?.compared ?? 0,
        verdictsDiffering: verdicts?.differing.length ?? null,
        ...(verdicts?.differing.length ? { differingPayers: verdicts.differing.slice(0, 10) } : {}),
        ...(verdicts?.missing.length ? { missingPayers: verdicts.missing.length } : {}),
      }),
    );

    console.log(
      JSON.stringify({ bench: 'collect-run-rss', database: kind, partners, ...memoryShape(samples), samples }),
    );
    if (again) {
      if (again.verdictsDiffering) failures++;
      console.log(JSON.stringify({ bench: 'collect-run-again', database: kind, partners, latencyMs, ...again }));
    }

    if (partial) {
      await database.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
      continue;
    }
    console.log(JSON.stringify({ bench: 'score-run', database: kind, partners, payers: total, ...rescore }));
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

/** RSS against payers done: at each quarter of the payers, and its slope over the second half (MB per 1,000 payers). */
function memoryShape(samples: number[][]): { rssMbAt: Record<string, number>; rssMbPer1000PayersSecondHalf: number } {
  const last = samples.at(-1) ?? [0, 0, 0];
  const at = (share: number) => samples.find((s) => s[1]! >= share * last[1]!)?.[2] ?? 0;
  const rssMbAt = { '25%': at(0.25), '50%': at(0.5), '75%': at(0.75), '100%': last[2]! };
  const half = samples.filter((s) => s[1]! >= last[1]! / 2);
  // Least squares of RSS on payers done over the second half of the run.
  const n = half.length;
  const mx = half.reduce((a, s) => a + s[1]!, 0) / Math.max(1, n);
  const my = half.reduce((a, s) => a + s[2]!, 0) / Math.max(1, n);
  const sxy = half.reduce((a, s) => a + (s[1]! - mx) * (s[2]! - my), 0);
  const sxx = half.reduce((a, s) => a + (s[1]! - mx) ** 2, 0);
  return { rssMbAt, rssMbPer1000PayersSecondHalf: sxx ? r2((sxy / sxx) * 1000) : 0 };
}

/**
 * A second run of the same estate with the same workers, once the first run's parent job is done (it stores the
 * drill-downs after scoring): what a distributor's daily run costs once the estate was collected before. Its verdicts
 * are compared with the baseline too.
 */
async function runAgain(db: Parameters<typeof verdictDigests>[0], prefix: string) {
  await runJobsIdle(prefix);
  const measured = await startMeasuring();
  const { runId, total } = await startRun({ db, connection: redis, prefix }, { trigger: 'cli' });
  const progress = await waitForRun(db, runId, { intervalMs: 1000, timeoutMs: maxSeconds * 1000 });
  const { seconds, cpuMs, mainMs, simCpuMs, simRequests } = await measured();
  const verdicts = baseline ? compareVerdicts(await verdictDigests(db, runId), baseline) : undefined;
  return {
    payers: total,
    finished: isFinished(progress),
    seconds: r2(seconds),
    payersPerSecond: r2(total / seconds),
    cpuMsPerPayer: r2(cpuMs / total),
    mainThreadCpuMsPerPayer: r2(mainMs / total),
    evaluationCpuMsPerPayer: r2((cpuMs - mainMs) / total),
    simCpuMsPerPayer: r2(simCpuMs / total),
    callsPerPayer: r2(simRequests / total),
    verdictsCompared: verdicts?.compared ?? 0,
    verdictsDiffering: verdicts?.differing.length ?? null,
    ...(verdicts?.differing.length ? { differingPayers: verdicts.differing.slice(0, 10) } : {}),
  };
}

/** Waits (up to two minutes) until no run job is active: a finished run's parent stores drill-downs after scoring. */
async function runJobsIdle(prefix: string) {
  const runs = new Queue(QUEUES.runs, { connection: redis, prefix });
  for (let i = 0; i < 600 && (await runs.getActiveCount()) > 0; i++) await new Promise((r) => setTimeout(r, 200));
  await runs.close();
}

/** scoreRun of a finished run once more: its findings total and the seconds it took. */
async function timeRescore(db: Parameters<typeof scoreRun>[0], runId: string) {
  const t = performance.now();
  const summary = (await scoreRun(db, runId)) as { findings?: { total?: number } };
  return { findings: summary.findings?.total, rescoreSeconds: r2((performance.now() - t) / 1000) };
}

/**
 * Wall time, CPU and simulator calls from now until the returned function is called: this process's CPU (every
 * thread), its event loop's alone, and the simulator's process apart.
 */
async function startMeasuring() {
  const stats0 = await sim.stats();
  const simCpu0 = sim.cpuMs();
  const cpu0 = process.cpuUsage();
  const main0 = threadCpuMs(process.pid);
  const t0 = performance.now();
  return async () => {
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      seconds,
      cpuMs: (cpu.user + cpu.system) / 1000,
      mainMs: threadCpuMs(process.pid) - main0,
      simCpuMs: sim.cpuMs() - simCpu0,
      simRequests: (await sim.stats()).requests - stats0.requests,
    };
  };
}

/** Removes what is left of a run cut short by BENCH_MAX_SECONDS from the queues, so the workers can stop. */
async function cancelRun(prefix: string): Promise<void> {
  for (const name of [QUEUES.runs, QUEUES.payers]) {
    const q = new Queue(name, { connection: redis, prefix });
    await q.pause();
    await q.drain(true);
    await q.close();
  }
}

async function forgetQueues(prefix: string): Promise<void> {
  for (const name of [QUEUES.runs, QUEUES.payers]) {
    const q = new Queue(name, { connection: redis, prefix });
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
  }
}

/**
 * The floors of the collection alone, on the estate's first payers (the baseline's, so ordinary ones): one payer at a
 * time for the critical path (the median of three), then a batch at once for the CPU of a call on either side.
 */
async function measureFloors(): Promise<{ cpuMsPerCall: number; simCpuMsPerCall: number; criticalPathMs: number }> {
  const entries = sim.registry.slice(0, 24);
  const collect = (e: (typeof entries)[number]) =>
    collectPayer(e, defaultSettings(), { region: config.awsRegion, logger, timeoutMs: 30_000 });
  const alone: number[] = [];
  for (const e of entries.slice(0, 3)) {
    const t = performance.now();
    await collect(e);
    alone.push(performance.now() - t);
  }
  const cpu0 = threadCpuMs(process.pid);
  const sim0 = processCpuMs(sim.pid);
  const requests0 = (await sim.stats()).requests;
  await Promise.all(entries.map(collect));
  const calls = (await sim.stats()).requests - requests0;
  return {
    cpuMsPerCall: (threadCpuMs(process.pid) - cpu0) / calls,
    simCpuMsPerCall: (processCpuMs(sim.pid) - sim0) / calls,
    criticalPathMs: alone.sort((a, b) => a - b)[1]!,
  };
}
