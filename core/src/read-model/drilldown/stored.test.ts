import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/index.js';
import { schema } from '../../db/index.js';
import { testDatabase } from '../../testing/db.js';
import { checkDrilldowns, storeDrilldown } from './stored.js';

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
  // Apart: rows written by one transaction share their xmin, and so would the two partners' fingerprints.
  await database.db.insert(schema.partners).values({ id: 'stored-a', name: 'A' });
  await database.db.insert(schema.partners).values({ id: 'stored-b', name: 'B' });
});
afterAll(async () => {
  await database?.close();
});

const now = () => new Date();

describe('checkDrilldowns', () => {
  it('gives each asker its own answer, and a stored body byte for byte', async () => {
    const [a] = await checkDrilldowns(database.db, [{ partnerId: 'stored-a', variant: null, held: null }], now());
    // Every byte value, and more than one TOAST chunk: what crosses the wire as text must come back the same bytes.
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(20_000)]);
    await storeDrilldown(database.db, 'stored-a', 'staff', a!.fingerprint, {
      gzip: bytes,
      validUntil: Number.POSITIVE_INFINITY,
    });
    const checks = await checkDrilldowns(
      database.db,
      [
        { partnerId: 'stored-b', variant: 'staff', held: null },
        { partnerId: 'stored-missing', variant: 'staff', held: null },
        { partnerId: 'stored-a', variant: 'staff', held: null },
        { partnerId: 'stored-a', variant: 'viewer', held: null },
        { partnerId: 'stored-a', variant: 'staff', held: a!.fingerprint },
      ],
      now(),
    );
    expect(checks[0]).toMatchObject({ stored: null });
    expect(checks[0]!.fingerprint).not.toBe(a!.fingerprint);
    expect(checks[1]).toBeNull();
    expect(checks[2]!.fingerprint).toBe(a!.fingerprint);
    expect(checks[2]!.stored!.gzip.equals(bytes)).toBe(true);
    expect(checks[2]!.stored!.validUntil).toBe(Number.POSITIVE_INFINITY);
    expect(checks[3]).toEqual({ fingerprint: a!.fingerprint, stored: null });
    // The caller holds that body already: it is not sent again.
    expect(checks[4]).toEqual({ fingerprint: a!.fingerprint, stored: null });
  });

  // PGlite keeps no prepared statements (CI's PostgreSQL pass runs this). Planned again on every run, the check cost
  // PostgreSQL 0.3 ms more per query; a list's length must not make each run's plan look cheaper than the kept one.
  if (process.env.TEST_DATABASE_URL || process.env.DATABASE_URL)
    it('keeps one generic plan on PostgreSQL, however many partners are asked', async () => {
      // One at a time: the pool hands back the connection it was just given, so the statement's counts are its own.
      for (let n = 1; n <= 12; n++)
        await checkDrilldowns(
          database.db,
          Array.from({ length: n }, (_, i) => ({ partnerId: `stored-${i}`, variant: 'staff' as const, held: null })),
          now(),
        );
      const r = await database.db.execute(
        sql`select generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements
            where name like 'drilldown_check_%'`,
      );
      const [plans] = (r as unknown as { rows: { generic: number; custom: number }[] }).rows;
      expect(plans).toBeDefined();
      // PostgreSQL plans the first five runs with their values, then keeps the generic plan.
      expect(plans!.custom).toBeLessThanOrEqual(5);
      expect(plans!.generic).toBeGreaterThanOrEqual(7);
    });
});
