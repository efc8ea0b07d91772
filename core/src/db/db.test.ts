import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../testing/db.js';
import type { Database } from './index.js';
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
