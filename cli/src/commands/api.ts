import { join } from 'node:path';
import { createLogger, loadConfig } from '@payerguard/core';
import { startApi } from '@payerguard/server';
import { repoRoot } from '../stack.js';
import { UsageError } from '../usage.js';

/**
 * `payerguard api`: the HTTP API and dashboard on PORT. With PGlite (no DATABASE_URL) the database lives inside this
 * process, so separate `payerguard worker` processes cannot reach it: use DATABASE_URL, or `payerguard demo`.
 */
export async function run(argv: string[]): Promise<number | undefined> {
  if (argv.length)
    throw new UsageError(
      `api takes no arguments; configure it with PORT, DATABASE_URL, REDIS_URL ... (got "${argv.join(' ')}")`,
    );
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (!config.databaseUrl)
    logger.warn(
      'DATABASE_URL is not set: using PGlite in DATA_DIR, which only this process can open, so workers started separately cannot share it (use DATABASE_URL, or `payerguard demo` for everything in one process)',
    );
  const api = await startApi({ config, logger, webDist: join(repoRoot, 'web', 'dist') });
  process.stdout.write(`payerguard API on ${api.url} (docs ${api.url}/api/docs)\n`);
  const stop = async () => {
    await api.close().catch(() => {});
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return undefined;
}
