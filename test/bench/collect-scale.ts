/**
 * Scale-out on PostgreSQL: one run shared by 1, 2 and 4 worker processes (each the production startWorkers, with its
 * evaluation threads), against the simulator in its own process. Prints per process count:
 *   {"bench":"collect-scale", workers, partners, payers, latencyMs, seconds, payersPerSecond, assumeRoleCalls,
 *    payersCollectedTwice, verdictsDiffering}
 * "No payer twice": every payer is assumed exactly once (the simulator counts AssumeRole calls) and recorded by one
 * attempt. Needs DATABASE_URL. BENCH_PARTNERS (default 200), BENCH_LATENCY_MS (default 20), BENCH_CONCURRENCY (payers
 * at once per process, default 32), BENCH_WORKERS (default "1,2,4").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig, openDatabase } from '@payerguard/core';
import { importRegistry } from '@payerguard/core/partners/import';
import { startRun, waitForRun } from '@payerguard/core/queue/runs';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { r2, repoRoot, startSimProcess, stop } from './_processes.js';
import { compareVerdicts, readBaseline, verdictDigests } from './_verdicts.js';

const partners = Number(process.env.BENCH_PARTNERS ?? 200);
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 20);
const counts = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
const seed = 7;
const config = loadConfig();
if (!config.databaseUrl) {
  console.log(JSON.stringify({ bench: 'collect-scale', skipped: 'set DATABASE_URL (PostgreSQL) to run it' }));
  process.exit(0);
}
const baseline = readBaseline(join(repoRoot, 'test', 'bench', 'baseline', `verdicts-seed${seed}.json`));
const sim = await startSimProcess({ partners, seed, latencyMs });
process.env.AWS_ACCESS_KEY_ID ??= 'AKIABENCHHUB00000001';
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench-hub-secret';
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
let failures = 0;
const rows = <T>(r: unknown) => (r as { rows: T[] }).rows;

try {
  for (const n of counts) {
    const schema = `bench_${randomBytes(5).toString('hex')}`;
    const database = await openDatabase({ databaseUrl: config.databaseUrl, searchPath: schema });
    const children: ChildProcess[] = [];
    try {
      await database.migrate();
      const { db } = database;
      await importRegistry(db, sim.registry);
      const prefix = `pgbench-${randomBytes(5).toString('hex')}`;
      for (let i = 0; i < n; i++) {
        const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'bench', '_worker.ts')], {
          stdio: ['ignore', 'pipe', 'inherit'],
          env: { ...process.env, AWS_ENDPOINT_URL: sim.url, BENCH_SCHEMA: schema, BENCH_PREFIX: prefix },
        });
        children.push(child);
      }
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((ok, fail) => {
              c.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && ok());
              c.once('exit', (code) => fail(new Error(`a worker process exited (${code}) before it was ready`)));
            }),
        ),
      );
      const before = await sim.stats();
      const t0 = performance.now();
      const { runId, total } = await startRun({ db, connection: redis, prefix }, { trigger: 'cli' });
      const progress = await waitForRun(db, runId, { intervalMs: 200, timeoutMs: 6 * 3_600_000 });
      const seconds = (performance.now() - t0) / 1000;
      const after = await sim.stats();
      const twice = rows<{ n: number }>(
        await db.execute(sql`select count(*)::int as n from run_payers where run_id = ${runId} and attempts <> 1`),
      )[0]!.n;
      const assumeRoleCalls = (after.byApi['sts:AssumeRole'] ?? 0) - (before.byApi['sts:AssumeRole'] ?? 0);
      const verdicts = baseline ? compareVerdicts(await verdictDigests(db, runId), baseline) : undefined;
      if (twice || verdicts?.differing.length) failures++;
      console.log(
        JSON.stringify({
          bench: 'collect-scale',
          database: 'postgres',
          workers: n,
          partners,
          payers: total,
          latencyMs,
          collected: progress?.collected,
          failed: progress?.failed,
          seconds: r2(seconds),
          payersPerSecond: r2(total / seconds),
          assumeRoleCalls,
          payersCollectedTwice: twice,
          verdictsCompared: verdicts?.compared ?? 0,
          verdictsDiffering: verdicts?.differing.length ?? null,
        }),
      );
    } finally {
      await Promise.all(children.map(stop));
      await database.db.execute(sql.raw(`drop schema if exists "${schema}" cascade`)).catch(() => {});
      await database.close();
    }
  }
} finally {
  redis.disconnect();
  await sim.close();
}
if (failures) {
  console.error('collect-scale: a payer was collected twice or verdicts differ');
  process.exitCode = 1;
}
