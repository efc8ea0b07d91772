/**
 * Collection and scoring of a whole estate, through the production path: the simulator over HTTP, the real SDK
 * clients, BullMQ on Redis, PGlite in memory. Prints:
 *   {"bench":"collect-run", partners, payers, collected, failed, seconds, payersPerSecond}  (collection + first scoring)
 *   {"bench":"score-run", partners, payers, findings, rescoreSeconds}  (scoreRun alone, again, in the same process)
 * BENCH_PARTNERS (default 200) sets the estate size.
 */

import { embeddedQueuePrefix } from '@payerguard/cli/stack';
import { createLogger, loadConfig, openDatabase } from '@payerguard/core';
import { scoreRun } from '@payerguard/core/engine/score-run';
import { importRegistry } from '@payerguard/core/partners/import';
import { startRun, waitForRun } from '@payerguard/core/queue/runs';
import { startSimulator } from '@payerguard/sim';
import { startWorkers } from '@payerguard/workers';
import { Redis } from 'ioredis';

const partners = Number(process.env.BENCH_PARTNERS ?? 200);
const logger = createLogger('silent');
const sim = await startSimulator({ port: 0, partners, seed: 7 });
process.env.AWS_ENDPOINT_URL = sim.url;
process.env.AWS_ACCESS_KEY_ID ??= 'AKIABENCHHUB00000001';
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench-hub-secret';
const config = { ...loadConfig(), awsEndpointUrl: sim.url };
const database = await openDatabase({ dataDir: 'memory://' });
await database.migrate();
const { db } = database;
const registry = sim.registry();
await importRegistry(db, registry);
const prefix = embeddedQueuePrefix('memory://bench');
const workers = await startWorkers({ db, config, logger, prefix, exports: false });
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });

const t0 = performance.now();
const { runId, total } = await startRun({ db, connection: redis, prefix }, { trigger: 'cli' });
const progress = await waitForRun(db, runId, { intervalMs: 200 });
const seconds = (performance.now() - t0) / 1000;
const r2 = (n: number) => Math.round(n * 100) / 100;
console.log(
  JSON.stringify({
    bench: 'collect-run',
    partners,
    payers: total,
    collected: progress?.collected,
    failed: progress?.failed,
    seconds: r2(seconds),
    payersPerSecond: r2(total / seconds),
  }),
);
await workers.close();

// The run's parent already scored once (included in collect-run); a second scoring of the same run is what a
// long-lived worker pays on later runs, with the policy decisions shared across payers already warm.
const t1 = performance.now();
const summary = (await scoreRun(db, runId)) as { findings?: { total?: number } };
const warmSeconds = (performance.now() - t1) / 1000;
console.log(
  JSON.stringify({
    bench: 'score-run',
    partners,
    payers: total,
    findings: summary.findings?.total,
    rescoreSeconds: r2(warmSeconds),
  }),
);
redis.disconnect();
await database.close();
await sim.close();
