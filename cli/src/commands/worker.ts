import { parseArgs } from 'node:util';
import { createLogger, loadConfig, openDatabase } from '@payerguard/core';
import { startWorkers } from '@payerguard/workers';
import { UsageError } from '../usage.js';

/**
 * `payerguard worker`: collection workers for runs enqueued by the API or `payerguard collect`. Needs DATABASE_URL:
 * the embedded PGlite lives inside one process, so separate worker processes cannot share it.
 */
export async function run(argv: string[]): Promise<number | undefined> {
  let values: { concurrency?: string; 'queue-prefix'?: string; 'reconcile-every'?: string; 'reconcile-grace'?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        concurrency: { type: 'string' },
        'queue-prefix': { type: 'string' },
        'reconcile-every': { type: 'string' },
        'reconcile-grace': { type: 'string' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const config = loadConfig();
  if (!config.databaseUrl) {
    process.stderr.write(
      'payerguard worker: DATABASE_URL is not set. Separate worker processes need a shared PostgreSQL; the embedded PGlite ' +
        'lives inside one process. Set DATABASE_URL=postgres://..., or run everything in one process with ' +
        '"payerguard collect --wait" or "npm run demo".\n',
    );
    return 2;
  }
  let concurrency: number | undefined;
  if (values.concurrency !== undefined) {
    concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
      throw new UsageError('--concurrency must be a whole number between 1 and 256');
  }
  const seconds = (flag: 'reconcile-every' | 'reconcile-grace', min: number) => {
    const v = values[flag];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > 86_400)
      throw new UsageError(`--${flag} must be a number of seconds from ${min} to 86400`);
    return Math.round(n * 1000);
  };
  const reconcileIntervalMs = seconds('reconcile-every', 0.5);
  const reconcileGraceMs = seconds('reconcile-grace', 0);
  const prefix = values['queue-prefix'];
  if (prefix !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(prefix))
    throw new UsageError('--queue-prefix: 1-64 letters, digits, "_" or "-" (it must match the API\'s and collect\'s)');
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const logger = createLogger(config.logLevel);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onConnectionError: (e) => logger.warn({ err: e.message }, 'database connection lost; the pool reconnects'),
  });
  await database.migrate();
  const workers = await startWorkers({
    db: database.db,
    config,
    logger,
    ...(concurrency ? { concurrency } : {}),
    ...(prefix ? { prefix } : {}),
    ...(reconcileIntervalMs !== undefined ? { reconcileIntervalMs } : {}),
    ...(reconcileGraceMs !== undefined ? { reconcileGraceMs } : {}),
  });
  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping workers (jobs in flight finish first, or are handed back)');
    await workers.close().catch(() => {});
    await database.close().catch(() => {});
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return undefined;
}
