import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../testing/db.js';
import { isDatabaseUnavailable, isStatementTimeout } from './availability.js';
import { type Database, openDatabase } from './index.js';
import { partners, payers } from './schema.js';

describe('database', () => {
  let database: Database;
  beforeAll(async () => {
    database = await testDatabase();
  });
  afterAll(async () => database?.close());

  it('migrates and round-trips a partner with its payer', async () => {
    const { db } = database;
    await db.insert(partners).values({ id: 'p1', name: 'Partner One' });
    await db.insert(payers).values({
      accountId: '222222222222',
      partnerId: 'p1',
      roleArn: 'arn:aws:iam::222222222222:role/PayerGuardCollector',
      externalId: 'ext-1',
    });
    const rows = await db.select().from(payers).where(eq(payers.partnerId, 'p1'));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.accountId).toBe('222222222222');
  });

  it('is idempotent on a second migrate', async () => {
    await expect(database.migrate()).resolves.toBeUndefined();
  });
});

const postgresUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
if (postgresUrl)
  describe('a statement timeout on the pool (PostgreSQL)', () => {
    it('cancels a statement that runs past it, and migrates and drops the schema without it', async () => {
      // 1 ms: every migration statement would be cancelled if the migrations ran on this pool.
      const database = await openDatabase({ databaseUrl: postgresUrl, scratch: true, statementTimeoutMs: 1 });
      try {
        await database.migrate();
        const err = await database.db.execute(sql`select pg_sleep(0.2)`).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isStatementTimeout(err)).toBe(true);
        // Not "the database is gone": the API answers it as a busy database, not a failover.
        expect(isDatabaseUnavailable(err)).toBe(false);
      } finally {
        await database.close();
      }
    });
  });

describe('isStatementTimeout', () => {
  it('is the server cancelling for statement_timeout, not a cancel somebody asked for', () => {
    const timeout = { code: '57014', message: 'canceling statement due to statement timeout' };
    expect(isStatementTimeout(timeout)).toBe(true);
    expect(isStatementTimeout(new Error('Failed query: select 1', { cause: timeout }))).toBe(true);
    expect(isStatementTimeout({ code: '57014', message: 'canceling statement due to user request' })).toBe(false);
    expect(isStatementTimeout(new Error('statement timeout'))).toBe(false);
  });
});
