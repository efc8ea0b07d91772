import { gunzipSync, gzipSync } from 'node:zlib';
import { createLogger, loadConfig, schema } from '@payerguard/core';
import { clockBoundary } from '@payerguard/core/read-model/drilldown/fingerprint';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildServer } from './app.js';
import { ALPHA, BETA, SECRETS, USERS } from './testing/fixtures.js';
import { asSession, type Harness, type Login, login, startHarness } from './testing/harness.js';
import { createUser } from './users.js';

// The overview and the drill-down answer from memory while nothing they show has changed. These tests change each
// thing they show, through the API (the very next answer shows it) and behind its back, as a payer job or another API
// process would (shown once this process has heard of the commit: `behind` waits for that, as change-feed.ts says).

let h: Harness;
let admin: Login;
let analyst: Login;
let viewer: Login;
const get = (url: string, s: Login = analyst) => h.app.inject({ method: 'GET', url, headers: asSession(s) });

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.app, USERS.admin);
  analyst = await login(h.app, USERS.analyst);
  viewer = await login(h.app, USERS.viewer);
}, 60_000);
afterAll(async () => h?.close());

const drill = async (id: string, s: Login = analyst) => {
  const r = await get(`/api/partners/${id}`, s);
  expect(r.statusCode).toBe(200);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  return { body: r.body, json: r.json() };
};
/** A write behind the API's back, then the moment this process's change feed has heard of it. */
const behind = async (write: PromiseLike<unknown>) => {
  await write;
  await h.app.changeFeed.sync();
};
const overviewRow = async (id: string) =>
  (await get('/api/overview?limit=100')).json().partners.find((p: { id: string }) => p.id === id);

describe('answers kept in memory', () => {
  it('answers a repeated drill-down with the same bytes, and shows a new suppression and its revocation at once', async () => {
    const a = await drill(ALPHA.id);
    expect((await drill(ALPHA.id)).body).toBe(a.body);
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/suppressions',
      headers: asSession(admin),
      payload: {
        partnerId: ALPHA.id,
        controlId: 'ROOT-HARDWARE-MFA',
        reason: 'hardware key on order',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect((await drill(ALPHA.id)).json.suppressions.map((s: { id: string }) => s.id)).toContain(id);
    const revoked = await h.app.inject({ method: 'DELETE', url: `/api/suppressions/${id}`, headers: asSession(admin) });
    expect(revoked.statusCode).toBe(200);
    expect((await drill(ALPHA.id)).json.suppressions.map((s: { id: string }) => s.id)).not.toContain(id);
  });

  it('shows a rename in the overview and the drill-down at once', async () => {
    await drill(ALPHA.id);
    expect((await overviewRow(ALPHA.id)).name).toBe(ALPHA.name);
    const r = await h.app.inject({
      method: 'PATCH',
      url: `/api/partners/${ALPHA.id}`,
      headers: asSession(admin),
      payload: { name: 'Alpha Renamed Ltd' },
    });
    expect(r.statusCode).toBe(200);
    expect((await drill(ALPHA.id)).json.partner.name).toBe('Alpha Renamed Ltd');
    expect((await overviewRow(ALPHA.id)).name).toBe('Alpha Renamed Ltd');
  });

  it("shows a payer job's access time written behind the API's back", async () => {
    const before = await drill(BETA.id);
    const at = new Date('2026-11-30T08:00:00Z');
    await behind(
      h.database.db.update(schema.payers).set({ lastAccessOkAt: at }).where(eq(schema.payers.accountId, BETA.payer)),
    );
    const after = await drill(BETA.id);
    expect(after.body).not.toBe(before.body);
    expect(after.json.payers[0].lastAccessOkAt).toBe(at.toISOString());
  });

  it('shows a history point rewritten in place (an older run scored again) at once', async () => {
    const before = (await drill(ALPHA.id)).json.history as { runId: string; score: number }[];
    expect(before.length).toBeGreaterThan(1);
    const older = before[0]!;
    // Same number of snapshots, same newest time: only the older point's score moves.
    await behind(
      h.database.db
        .update(schema.snapshots)
        .set({ score: older.score === 42 ? 43 : 42 })
        .where(and(eq(schema.snapshots.partnerId, ALPHA.id), eq(schema.snapshots.runId, older.runId))),
    );
    const after = (await drill(ALPHA.id)).json.history as { runId: string; score: number }[];
    expect(after.find((p) => p.runId === older.runId)?.score).toBe(older.score === 42 ? 43 : 42);
    await behind(
      h.database.db
        .update(schema.snapshots)
        .set({ score: older.score })
        .where(and(eq(schema.snapshots.partnerId, ALPHA.id), eq(schema.snapshots.runId, older.runId))),
    );
  });

  it("never gives a partner viewer the body built for staff (spend), nor another partner's", async () => {
    expect((await drill(ALPHA.id, analyst)).json.snapshot.monthlySpend).toBeGreaterThan(0);
    const mine = await drill(ALPHA.id, viewer);
    expect(mine.json.snapshot).not.toHaveProperty('monthlySpend');
    expect(mine.body).not.toContain('monthlySpend');
    await drill(BETA.id, analyst);
    expect((await get(`/api/partners/${BETA.id}`, viewer)).statusCode).toBe(404);
  });

  it('shows a pending root-access window as expired once its end passes, with no row changed', async () => {
    const endsAt = new Date(Date.now() + 1_500);
    await behind(
      h.database.db.insert(schema.rootAccessWindows).values({
        id: 'raw-clock',
        partnerId: ALPHA.id,
        payerAccountId: ALPHA.payer,
        reason: 'close a member account',
        startsAt: new Date(Date.now() - 60_000),
        endsAt,
        state: 'pending',
        requestedBy: USERS.viewer,
        requestedBySide: 'partner',
      }),
    );
    const stateOf = async () =>
      (await drill(ALPHA.id)).json.rootAccess.windows.find((w: { id: string }) => w.id === 'raw-clock')?.state;
    expect(await stateOf()).toBe('pending');
    await new Promise((r) => setTimeout(r, endsAt.getTime() - Date.now() + 50));
    expect(await stateOf()).toBe('expired');
  });

  it('answers 404 for a partner that does not exist, and for one deleted after its drill-down was kept', async () => {
    expect((await get('/api/partners/nobody')).statusCode).toBe(404);
    await drill(BETA.id);
    const r = await h.app.inject({ method: 'DELETE', url: `/api/partners/${BETA.id}`, headers: asSession(admin) });
    expect(r.statusCode).toBe(200);
    expect((await get(`/api/partners/${BETA.id}`)).statusCode).toBe(404);
    expect(await overviewRow(BETA.id)).toBeUndefined();
  });
});

describe('answers kept under the change feed', () => {
  /** The database reads (not the feed's own heartbeats) made while `fn` runs. */
  const readsDuring = async (fn: () => Promise<unknown>) => {
    const client = h.database.db.$client as { query: (...a: unknown[]) => unknown };
    const original = client.query;
    const texts: string[] = [];
    client.query = function (this: unknown, ...a: unknown[]) {
      const q = a[0] as string | { text?: string };
      const text = typeof q === 'string' ? q : (q?.text ?? '');
      if (!text.includes('pg_notify')) texts.push(text);
      return original.apply(this, a);
    };
    try {
      await fn();
    } finally {
      client.query = original;
    }
    return texts;
  };

  it('answers a kept drill-down, signed in, with no database read while nothing of it changed', async () => {
    const first = await drill(ALPHA.id);
    let again = '';
    expect(await readsDuring(async () => (again = (await drill(ALPHA.id)).body))).toEqual([]);
    expect(again).toBe(first.body);
    // A change to another partner leaves this one kept; a change to this one makes the next answer read.
    await behind(h.database.db.update(schema.partners).set({ name: sql`name` }).where(eq(schema.partners.id, BETA.id)));
    expect(await readsDuring(() => drill(ALPHA.id))).toEqual([]);
    await behind(
      h.database.db.update(schema.partners).set({ name: sql`name` }).where(eq(schema.partners.id, ALPHA.id)),
    );
    expect((await readsDuring(() => drill(ALPHA.id))).length).toBeGreaterThan(0);
  });

  it("waits, before answering a write, until its feed has heard it: the writer's next read here shows it", async () => {
    // sync() resolves once every commit before it has been heard (change-feed.test.ts); here: the API calls it
    // for every write it answers, and for no read.
    const sync = vi.spyOn(h.app.changeFeed, 'sync');
    try {
      const rename = (name: string) =>
        h.app.inject({
          method: 'PATCH',
          url: `/api/partners/${ALPHA.id}`,
          headers: asSession(admin),
          payload: { name },
        });
      expect((await rename('Alpha Written Here')).statusCode).toBe(200);
      expect(sync).toHaveBeenCalledTimes(1);
      expect((await drill(ALPHA.id)).json.partner.name).toBe('Alpha Written Here');
      expect(sync).toHaveBeenCalledTimes(1);
      expect((await rename(ALPHA.name)).statusCode).toBe(200);
      expect(sync).toHaveBeenCalledTimes(2);
    } finally {
      sync.mockRestore();
    }
  });

  it('checks the drill-downs asked for at the same moment in one query, and gives each asker its own answer', async () => {
    // Every session held first, so all five asks reach the check in the same turn; then nothing kept of ALPHA is
    // current: every ask below needs the check.
    for (const s of [analyst, viewer, admin]) await drill(ALPHA.id, s);
    await behind(
      h.database.db.update(schema.partners).set({ name: sql`name` }).where(eq(schema.partners.id, ALPHA.id)),
    );
    const asks: [string, Login][] = [
      [ALPHA.id, analyst],
      [ALPHA.id, viewer],
      ['nobody', analyst],
      [`${ALPHA.id}?history=1`, analyst],
      [ALPHA.id, admin],
    ];
    let answers: Awaited<ReturnType<typeof get>>[] = [];
    const reads = await readsDuring(async () => {
      answers = await Promise.all(asks.map(([path, s]) => get(`/api/partners/${path}`, s)));
    });
    expect(reads.filter((t) => t.includes('with ordinality as q(id, variant, held, n)'))).toHaveLength(1);
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 404, 200, 200]);
    const [staff, mine, , short, adminView] = answers.map((r) => (r.statusCode === 200 ? r.json() : null));
    expect(staff.partner.id).toBe(ALPHA.id);
    expect(staff.snapshot.monthlySpend).toBeGreaterThan(0);
    expect(mine.snapshot).not.toHaveProperty('monthlySpend');
    expect(short.history).toHaveLength(1);
    expect(staff.history.length).toBeGreaterThan(1);
    expect(adminView).toEqual(staff);
  });

  it('refuses a kept session once it ends or its user is disabled, whoever wrote it', async () => {
    const me = (s: Login) => h.app.inject({ method: 'GET', url: '/api/me', headers: asSession(s) });
    for (const end of ['disabled', 'session deleted', 'role changed'] as const) {
      const email = `kept-${end.replace(' ', '-')}@test.local`;
      const user = await createUser(h.database.db, { email, password: SECRETS.password, role: 'admin', name: end });
      const s = await login(h.app, email);
      expect((await me(s)).statusCode).toBe(200);
      if (end === 'disabled')
        await behind(h.database.db.update(schema.users).set({ disabled: true }).where(eq(schema.users.id, user.id)));
      else if (end === 'session deleted')
        await behind(h.database.db.delete(schema.sessions).where(eq(schema.sessions.userId, user.id)));
      else {
        await behind(h.database.db.update(schema.users).set({ role: 'analyst' }).where(eq(schema.users.id, user.id)));
        const r = await me(s);
        expect(r.statusCode).toBe(200);
        expect(r.json().user.role).toBe('analyst');
        continue;
      }
      expect((await me(s)).statusCode).toBe(401);
    }
  });
});

describe('drill-downs stored for every API process', () => {
  // A new API on the same database stands in for another process (or this one after a restart): its memory holds
  // nothing, so what it answers comes from drilldown_bodies or from a build. Sessions live in the database, so the
  // logins of the first API work on it.
  const fromAnotherProcess = async (id: string, s: Login = analyst) => {
    const other = await buildServer({
      db: h.database.db,
      config: { ...loadConfig({}), awsEndpointUrl: 'http://127.0.0.1:9' },
      logger: createLogger('silent'),
      redis: h.redis,
      queuePrefix: h.prefix,
    });
    try {
      const r = await other.inject({ method: 'GET', url: `/api/partners/${id}`, headers: asSession(s) });
      expect(r.statusCode).toBe(200);
      return r.body;
    } finally {
      await other.close();
    }
  };
  const where = (id: string, variant: string) =>
    and(eq(schema.drilldownBodies.partnerId, id), eq(schema.drilldownBodies.variant, variant));
  const storedRow = async (id: string, variant: string) =>
    (await h.database.db.select().from(schema.drilldownBodies).where(where(id, variant)))[0];
  /** The stored body's JSON text (it is kept gzipped). */
  const stored = async (id: string, variant: string) => {
    const row = await storedRow(id, variant);
    return row && { ...row, body: gunzipSync(row.bodyGzip).toString('utf8') };
  };
  // A marker in place of the stored body shows whether another process answered from storage.
  const mark = (set: Partial<typeof schema.drilldownBodies.$inferInsert>) =>
    h.database.db
      .update(schema.drilldownBodies)
      .set({ bodyGzip: gzipSync('{"marker":true}'), ...set })
      .where(where(ALPHA.id, 'staff'));

  it('keeps what one process built for the others: the same bytes, staff and viewer apart', async () => {
    await h.database.db.delete(schema.drilldownBodies);
    // Rewriting the partner row (same values, new xmin) makes this process build again, and so store.
    await behind(
      h.database.db.update(schema.partners).set({ name: sql`name` }).where(eq(schema.partners.id, ALPHA.id)),
    );
    const built = (await drill(ALPHA.id)).body;
    expect((await stored(ALPHA.id, 'staff'))?.body).toBe(built);
    expect(await fromAnotherProcess(ALPHA.id)).toBe(built);
    const viewerBody = (await drill(ALPHA.id, viewer)).body;
    expect(viewerBody).not.toContain('monthlySpend');
    expect((await stored(ALPHA.id, 'viewer'))?.body).toBe(viewerBody);
    expect(await fromAnotherProcess(ALPHA.id, viewer)).toBe(viewerBody);
  });

  it('answers a browser with the stored gzip bytes as they are, anything else with the JSON text', async () => {
    await drill(ALPHA.id);
    const row = await storedRow(ALPHA.id, 'staff');
    const r = await h.app.inject({
      method: 'GET',
      url: `/api/partners/${ALPHA.id}`,
      headers: { ...asSession(analyst), 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(String(r.headers.vary)).toMatch(/accept-encoding/i);
    expect(r.rawPayload.equals(row!.bodyGzip)).toBe(true);
    expect(gunzipSync(r.rawPayload).toString('utf8')).toBe((await drill(ALPHA.id)).body);
    const refused = await h.app.inject({
      method: 'GET',
      url: `/api/partners/${ALPHA.id}`,
      headers: { ...asSession(analyst), 'accept-encoding': 'gzip;q=0, identity' },
    });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.json().partner.id).toBe(ALPHA.id);
  });

  it('answers from storage while it is current', async () => {
    await drill(ALPHA.id);
    await mark({});
    expect(await fromAnotherProcess(ALPHA.id)).toBe('{"marker":true}');
  });

  it('builds again, and stores that, once a row, the release or the clock has moved on', async () => {
    const current = async () => {
      const body = await fromAnotherProcess(ALPHA.id);
      expect(body).not.toContain('marker');
      expect((await stored(ALPHA.id, 'staff'))?.body).toBe(body);
      return JSON.parse(body);
    };
    await drill(ALPHA.id);
    await mark({ format: 'an-older-release' });
    await current();
    await mark({ validUntil: new Date(Date.now() - 1000) });
    await current();
    // A rename behind the API's back: the stored row's fingerprint no longer matches.
    await mark({});
    await h.database.db
      .update(schema.partners)
      .set({ name: 'Alpha Stored Ltd' })
      .where(eq(schema.partners.id, ALPHA.id));
    expect((await current()).partner.name).toBe('Alpha Stored Ltd');
  });

  it("goes with its partner: a deleted partner's stored drill-downs are gone", async () => {
    // BETA was deleted above, after its drill-down had been answered (and so stored).
    expect(await storedRow(BETA.id, 'staff')).toBeUndefined();
    const left = await h.database.db
      .select({ id: schema.drilldownBodies.partnerId })
      .from(schema.drilldownBodies)
      .where(eq(schema.drilldownBodies.partnerId, BETA.id));
    expect(left).toEqual([]);
  });
});

describe('clockBoundary', () => {
  it('is the first moment a body reads differently with no row changed: a suppression ending, a window lapsing', () => {
    const now = Date.parse('2026-12-01T00:00:00Z');
    const body = {
      suppressions: [{ expiresAt: '2026-12-05T00:00:00Z' }, { expiresAt: '2026-11-01T00:00:00Z' }],
      rootAccess: { windows: [{ startsAt: '2026-11-30T00:00:00Z', endsAt: '2026-12-02T00:00:00Z' }] },
    };
    expect(clockBoundary(body, now)).toBe(Date.parse('2026-12-02T00:00:00Z') + 1);
    expect(clockBoundary({ suppressions: [], rootAccess: { windows: [] } }, now)).toBe(Number.POSITIVE_INFINITY);
  });
});
