/**
 * One worker process of the collect-scale bench: the production startWorkers on PostgreSQL, in the bench's scratch
 * schema (BENCH_SCHEMA) and queue prefix (BENCH_PREFIX). Prints "ready" once its workers listen; SIGTERM stops it.
 */
import { createLogger, loadConfig, openDatabase } from '@payerguard/core';
import { startWorkers } from '@payerguard/workers';

const config = loadConfig();
if (!config.databaseUrl) throw new Error('DATABASE_URL is required');
const database = await openDatabase({ databaseUrl: config.databaseUrl, searchPath: process.env.BENCH_SCHEMA! });
const workers = await startWorkers({
  db: database.db,
  config,
  logger: createLogger('silent'),
  prefix: process.env.BENCH_PREFIX!,
  exports: false,
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? 32),
});
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await workers.close().catch(() => {});
  await database.close().catch(() => {});
  process.exit(0);
});
