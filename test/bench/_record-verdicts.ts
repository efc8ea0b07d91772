/**
 * Records the verdict baseline the collection benches compare against: one whole run of BENCH_PARTNERS partners
 * (seed 7) through the production path, its findings' verdicts digested per payer into
 * test/bench/baseline/verdicts-seed7.json. Run it with the implementation whose verdicts are the reference:
 *   BENCH_PARTNERS=1000 node --import tsx test/bench/_record-verdicts.ts
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddedQueuePrefix } from '@payerguard/cli/stack';
import { createLogger, loadConfig, openDatabase } from '@payerguard/core';
import { importRegistry } from '@payerguard/core/partners/import';
import { startRun, waitForRun } from '@payerguard/core/queue/runs';
import { startSimulator } from '@payerguard/sim';
import { startWorkers } from '@payerguard/workers';
import { Redis } from 'ioredis';
import { verdictDigests, writeBaseline } from './_verdicts.js';

const partners = Number(process.env.BENCH_PARTNERS ?? 1000);
const seed = 7;
const out =
  process.env.BENCH_VERDICTS_OUT ??
  join(dirname(fileURLToPath(import.meta.url)), 'baseline', `verdicts-seed${seed}.json`);
const sim = await startSimulator({ port: 0, partners, seed });
process.env.AWS_ENDPOINT_URL = sim.url;
process.env.AWS_ACCESS_KEY_ID ??= 'AKIABENCHHUB00000001';
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench-hub-secret';
const config = { ...loadConfig(), awsEndpointUrl: sim.url };
const database = await openDatabase({ dataDir: 'memory://' });
await database.migrate();
const { db } = database;
await importRegistry(db, sim.registry());
const prefix = embeddedQueuePrefix(`memory://record-${process.pid}`);
const workers = await startWorkers({ db, config, logger: createLogger('silent'), prefix, exports: false });
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
const t0 = performance.now();
const { runId, total } = await startRun({ db, connection: redis, prefix }, { trigger: 'cli' });
await waitForRun(db, runId, { intervalMs: 500, timeoutMs: 6 * 3_600_000 });
const payers = await verdictDigests(db, runId);
writeBaseline(out, { seed, partners, payers });
console.log(
  JSON.stringify({
    recorded: out,
    partners,
    payers: total,
    withFindings: Object.keys(payers).length,
    seconds: Math.round((performance.now() - t0) / 1000),
  }),
);
await workers.close();
redis.disconnect();
await database.close();
await sim.close();
