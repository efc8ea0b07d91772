import { randomBytes } from 'node:crypto';
import { type Database, openDatabase } from '../db/index.js';

/**
 * A migrated, isolated database for one test file: PGlite in memory by default, or a scratch schema on the real
 * Postgres when TEST_DATABASE_URL / DATABASE_URL is set (.ci/run's second pass). Share it across a file's tests:
 * PGlite takes seconds to start.
 */
export async function testDatabase(): Promise<Database> {
  const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  const database = url
    ? await openDatabase({ databaseUrl: url, scratch: true })
    : await openDatabase({ dataDir: 'memory://' });
  await database.migrate();
  return database;
}

/** A unique BullMQ prefix so concurrent test files never share queues on the one Redis. */
export const testQueuePrefix = () => `pgtest-${randomBytes(5).toString('hex')}`;
