import { type Database, schema } from '@payerguard/core';
import { estateVersion } from '@payerguard/core/read-model/read-versions';
import { testDatabase } from '@payerguard/core/testing/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALPHA, BETA, seedFixtures } from '../testing/fixtures.js';
import { ChangeFeed } from './change-feed.js';
import { EstateCache } from './estate-cache.js';

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
  await seedFixtures(database.db);
}, 60_000);
afterAll(() => database?.close());

const db = () => database.db;

describe('the estate cache (one version of the overview read model per database)', () => {
  it('serves the same view until a row it covers changes, and a payer job writing access times changes nothing', async () => {
    const cache = new EstateCache(db());
    const first = await cache.view();
    expect(first.partners.map((p) => p.id).sort()).toEqual([ALPHA.id, BETA.id]);
    expect(await cache.view()).toBe(first);
    // What every payer job writes: the access time of its payer. The overview does not show it.
    await db()
      .update(schema.payers)
      .set({ lastAccessOkAt: new Date() })
      .where(eq(schema.payers.accountId, ALPHA.payer));
    expect(await cache.view()).toBe(first);
  });

  it('sees a change made through another cache (another API process) on its next request', async () => {
    const a = new EstateCache(db());
    const b = new EstateCache(db());
    expect((await a.view()).byId.get(ALPHA.id)?.name).toBe(ALPHA.name);
    expect((await b.view()).byId.get(ALPHA.id)?.name).toBe(ALPHA.name);
    await db().update(schema.partners).set({ name: 'Alpha Renamed' }).where(eq(schema.partners.id, ALPHA.id));
    expect((await a.view()).byId.get(ALPHA.id)?.name).toBe('Alpha Renamed');
    expect((await b.view()).byId.get(ALPHA.id)?.name).toBe('Alpha Renamed');
    await db().update(schema.partners).set({ name: ALPHA.name }).where(eq(schema.partners.id, ALPHA.id));
  });

  it('with a change feed, reads not even the version while it has not moved, and sees the next one once heard', async () => {
    const feed = await ChangeFeed.open(db());
    try {
      const cache = new EstateCache(db(), feed);
      const first = await cache.view();
      const client = db().$client as { query: (...a: unknown[]) => unknown };
      const original = client.query;
      let reads = 0;
      client.query = function (this: unknown, ...a: unknown[]) {
        if (!JSON.stringify(a[0]).includes('pg_notify')) reads++;
        return original.apply(this, a);
      };
      try {
        expect(await cache.view()).toBe(first);
        expect(reads).toBe(0);
      } finally {
        client.query = original;
      }
      await db().update(schema.partners).set({ name: 'Alpha Heard' }).where(eq(schema.partners.id, ALPHA.id));
      await feed.sync();
      expect((await cache.view()).byId.get(ALPHA.id)?.name).toBe('Alpha Heard');
      await db().update(schema.partners).set({ name: ALPHA.name }).where(eq(schema.partners.id, ALPHA.id));
    } finally {
      await feed.close();
    }
  });

  it('moves once per transaction however many rows it writes, and not at all when the transaction rolls back', async () => {
    const before = await estateVersion(db());
    await db().transaction(async (tx) => {
      await tx.update(schema.partnerLatest).set({ score: sql`score` });
      await tx.update(schema.partners).set({ tags: sql`tags` });
    });
    expect(await estateVersion(db())).toBe(before + 1);
    await db()
      .transaction(async (tx) => {
        await tx.update(schema.partners).set({ name: 'never seen' }).where(eq(schema.partners.id, BETA.id));
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await estateVersion(db())).toBe(before + 1);
    expect((await new EstateCache(db()).view()).byId.get(BETA.id)?.name).toBe(BETA.name);
  });

  it('drops a deleted partner with its latest state, so a new partner of the same id starts with no history', async () => {
    const cache = new EstateCache(db());
    expect((await cache.view()).byId.get(BETA.id)?.latest).not.toBeNull();
    await db().delete(schema.partners).where(eq(schema.partners.id, BETA.id));
    expect((await cache.view()).byId.has(BETA.id)).toBe(false);
    await db().insert(schema.partners).values({ id: BETA.id, name: 'A different Beta', tags: {} });
    const reborn = (await cache.view()).byId.get(BETA.id);
    expect(reborn?.name).toBe('A different Beta');
    expect(reborn?.latest).toBeNull();
    expect(reborn?.payerAccountIds).toEqual([]);
  });

  it('moves when a covered table is truncated (no row trigger fires then)', async () => {
    const cache = new EstateCache(db());
    const v = await cache.view();
    expect(v.partners.some((p) => p.latest)).toBe(true);
    await db().execute(sql`truncate partner_latest`);
    const after = await cache.view();
    expect(after).not.toBe(v);
    expect(after.partners.every((p) => p.latest === null)).toBe(true);
  });

  it('loads a version once however many requests ask for it at the same moment', async () => {
    const cache = new EstateCache(db());
    const views = await Promise.all(Array.from({ length: 8 }, () => cache.view()));
    expect(new Set(views).size).toBe(1);
  });
});
