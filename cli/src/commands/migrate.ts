import { loadConfig, openDatabase } from '@payerguard/core';
import { UsageError } from '../usage.js';

/** `payerguard migrate`: applies pending migrations to DATABASE_URL (or the PGlite data folder). */
export async function run(argv: string[]): Promise<number | undefined> {
  if (argv.length) throw new UsageError(`migrate takes no arguments (got "${argv.join(' ')}")`);
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
  process.stdout.write(
    `migrations applied (${database.kind === 'postgres' ? 'PostgreSQL, DATABASE_URL' : `PGlite in ${config.dataDir}`})\n`,
  );
  return 0;
}
