import { type Database, schema } from '@payerguard/core';
import { testDatabase } from '@payerguard/core/testing/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALPHA, BETA, seedFixtures } from '../testing/fixtures.js';
import { ChangeFeed } from './change-feed.js';

let database: Database;
let feed: ChangeFeed;

beforeAll(async () => {
  database = await testDatabase();
  await seedFixtures(database.db);
  feed = await ChangeFeed.open(database.db, { heartbeatMs: 100, staleAfterMs: 1_000 });
});
afterAll(async () => {
  await feed?.close();
  await database?.close();
});

const until = async (what: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('the change feed', () => {
  it('is live once open, and a stamp taken now holds while nothing changes', async () => {
    expect(feed.live).toBe(true);
    const stamp = feed.stamp();
    expect(stamp).not.toBeNull();
    await feed.sync();
    expect(feed.unchanged(stamp, `p:${ALPHA.id}`, `p:${BETA.id}`)).toBe(true);
  });

  it("hears a partner's change from any writer once committed, and only that partner's", async () => {
    const stamp = feed.stamp();
    await database.db.update(schema.partners).set({ name: sql`name` }).where(eq(schema.partners.id, ALPHA.id));
    await feed.sync();
    expect(feed.unchanged(stamp, `p:${ALPHA.id}`)).toBe(false);
    expect(feed.unchanged(stamp, `p:${BETA.id}`)).toBe(true);
    // What a payer job writes (its access time) is part of the drill-down too.
    const again = feed.stamp();
    await database.db
      .update(schema.payers)
      .set({ lastAccessOkAt: new Date() })
      .where(eq(schema.payers.partnerId, BETA.id));
    await feed.sync();
    expect(feed.unchanged(again, `p:${BETA.id}`)).toBe(false);
    expect(feed.unchanged(again, `p:${ALPHA.id}`)).toBe(true);
  });

  it('hears nothing of a write that rolled back', async () => {
    const stamp = feed.stamp();
    await expect(
      database.db.transaction(async (tx) => {
        await tx.update(schema.partners).set({ name: 'never' }).where(eq(schema.partners.id, ALPHA.id));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await feed.sync();
    expect(feed.unchanged(stamp, `p:${ALPHA.id}`)).toBe(true);
  });

  it('hears a session ended and a user changed', async () => {
    const [s] = await database.db.select().from(schema.sessions).limit(1);
    const [u] = await database.db.select().from(schema.users).limit(1);
    const stamp = feed.stamp();
    await database.db.update(schema.users).set({ name: sql`name` }).where(eq(schema.users.id, u!.id));
    await feed.sync();
    expect(feed.unchanged(stamp, `u:${u!.id}`)).toBe(false);
    if (s) {
      const before = feed.stamp();
      await database.db.delete(schema.sessions).where(eq(schema.sessions.idHash, s.idHash));
      await feed.sync();
      expect(feed.unchanged(before, `s:${s.idHash}`)).toBe(false);
    }
  });

  it('forgets everything on a TRUNCATE, and on a statement touching too many partners for one notice', async () => {
    const stamp = feed.stamp();
    await database.db.execute(sql`truncate drilldown_bodies, partner_history_versions`);
    await feed.sync();
    expect(feed.unchanged(stamp, `p:${ALPHA.id}`)).toBe(false);
    const again = feed.stamp();
    await database.db.execute(
      sql`select notice_keys('p', array(select 'x' || g::text from generate_series(1, 1001) g))`,
    );
    await feed.sync();
    expect(feed.unchanged(again, `p:${BETA.id}`)).toBe(false);
  });

  it('splits many keys into notices that fit, and hears every one', async () => {
    const stamp = feed.stamp();
    await database.db.execute(
      sql`select notice_keys('p', array(select 'partner-' || g::text from generate_series(1, 300) g))`,
    );
    await feed.sync();
    expect(feed.unchanged(stamp, 'p:partner-1')).toBe(false);
    expect(feed.unchanged(stamp, 'p:partner-300')).toBe(false);
    expect(feed.unchanged(stamp, `p:${ALPHA.id}`)).toBe(true);
  });

  // The embedded database hands a commit's notices over before the committing query returns, so it needs no heartbeat
  // bound (change-feed.ts); CI's PGlite pass runs this.
  if (!(process.env.TEST_DATABASE_URL || process.env.DATABASE_URL))
    it('embedded: has heard a commit by the time the committing write returns', async () => {
      for (let i = 0; i < 10; i++) {
        const stamp = feed.stamp();
        await database.db.update(schema.partners).set({ name: sql`name` }).where(eq(schema.partners.id, ALPHA.id));
        expect(feed.unchanged(stamp, `p:${ALPHA.id}`)).toBe(false);
      }
    });

  // PGlite lives in this process: there is no connection to lose (CI's PostgreSQL pass runs this).
  if (process.env.TEST_DATABASE_URL || process.env.DATABASE_URL)
    it('voids every stamp when its connection is lost, reads nothing as current meanwhile, and listens again', async () => {
      const stamp = feed.stamp();
      const killed = await database.db.execute(
        sql`select pg_terminate_backend(pid) as ok from pg_stat_activity
            where application_name = ${feed.connectionName}`,
      );
      expect((killed as unknown as { rows: unknown[] }).rows.length).toBeGreaterThan(0);
      await until(() => !feed.live);
      expect(feed.stamp()).toBeNull();
      expect(feed.unchanged(stamp, `p:${ALPHA.id}`)).toBe(false);
      await until(() => feed.live);
      // Whatever was committed while nobody listened went unheard: the old stamp stays void.
      expect(feed.unchanged(stamp, `p:${ALPHA.id}`)).toBe(false);
      const fresh = feed.stamp();
      await feed.sync();
      expect(feed.unchanged(fresh, `p:${ALPHA.id}`)).toBe(true);
    });
});
