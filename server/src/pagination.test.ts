import { scoreRun } from '@payerguard/core/engine/score-run';
import { seedExportFixture } from '@payerguard/core/testing/export-seed';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALPHA, USERS } from './testing/fixtures.js';
import { asSession, type Harness, type Login, login, startHarness } from './testing/harness.js';

/** Keyset pagination on the overview and the findings, and reads that stay the same as history grows. */
let h: Harness;
let analyst: Login;
let viewer: Login;
const get = (url: string, s: Login = analyst) => h.app.inject({ method: 'GET', url, headers: asSession(s) });

beforeAll(async () => {
  h = await startHarness();
  // 23 more partners with three runs of history each, next to the fixtures' alpha and beta.
  await seedExportFixture(h.database.db, { partners: 23, snapshots: 3, prefix: 'q' });
  analyst = await login(h.app, USERS.analyst);
  viewer = await login(h.app, USERS.viewer);
});
afterAll(async () => h?.close());

/** Every page after the first by following nextCursor; the ids in order. */
async function walk(path: string, list: 'partners' | 'findings', s: Login = analyst): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 200; pages++) {
    const r = await get(`${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, s);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    out.push(...body[list].map((x: { id: string | number }) => String(x.id)));
    cursor = body.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('nextCursor never ran out');
}

describe('cursor pagination', () => {
  it('walks the overview page by page in the same order as one big page, for every sort', async () => {
    for (const sort of ['score', 'name', 'grade', 'spend', 'delta', 'criticalFailures', 'id'])
      for (const order of ['asc', 'desc']) {
        const q = `/api/overview?sort=${sort}&order=${order}`;
        const all = (await get(`${q}&limit=1000`)).json().partners.map((p: { id: string }) => p.id);
        expect(all).toHaveLength(25);
        const paged = await walk(`${q}&limit=4`, 'partners');
        expect(paged, `${sort} ${order}`).toEqual(all);
        expect(new Set(paged).size).toBe(paged.length);
      }
  });

  it('walks the findings page by page with filters, with no finding twice and none left out', async () => {
    for (const q of ['status=pass,fail', 'severity=critical,high', 'controlId=ROOT-MFA', `partnerId=${ALPHA.id}`, '']) {
      const all = (await get(`/api/findings?${q}&limit=1000`)).json();
      const paged = await walk(`/api/findings?${q}&limit=7`, 'findings');
      expect(paged, q).toEqual(all.findings.map((f: { id: number }) => String(f.id)));
      expect(paged.length).toBe(all.total);
      expect(new Set(paged).size).toBe(paged.length);
    }
    // The offset the web uses today still pages the same list.
    const second = (await get('/api/findings?limit=7&offset=7')).json().findings.map((f: { id: number }) => f.id);
    expect(second).toEqual(
      (await get('/api/findings?limit=1000'))
        .json()
        .findings.slice(7, 14)
        .map((f: { id: number }) => f.id),
    );
  });

  it('keeps a partner viewer to their own partner on every page', async () => {
    const paged = await walk('/api/findings?limit=5', 'findings', viewer);
    const all = (await get('/api/findings?limit=1000', viewer)).json().findings;
    expect(all.every((f: { partnerId: string }) => f.partnerId === ALPHA.id)).toBe(true);
    expect(paged).toEqual(all.map((f: { id: number }) => String(f.id)));
    expect(await walk('/api/overview?limit=1', 'partners', viewer)).toEqual([ALPHA.id]);
  });

  it('answers a cursor it did not hand out with 400 and a message that says so', async () => {
    const first = (await get('/api/overview?sort=score&limit=2')).json();
    for (const [url, s] of [
      ['/api/overview?cursor=not-a-cursor', analyst],
      [`/api/overview?sort=name&cursor=${encodeURIComponent(first.nextCursor)}`, analyst],
      [`/api/overview?sort=score&offset=2&cursor=${encodeURIComponent(first.nextCursor)}`, analyst],
      [`/api/findings?cursor=${Buffer.from('["severity",0,"a"]').toString('base64url')}`, analyst],
      [`/api/findings?cursor=${encodeURIComponent(first.nextCursor)}`, analyst],
      ['/api/overview/matrix?cursor=%7B%7D', analyst],
    ] as const) {
      const r = await get(url, s);
      expect(r.statusCode, url).toBe(400);
      expect(r.json().message, url).toMatch(/cursor/);
    }
  });
});

describe('reads that do not grow with history', () => {
  it("reads a partner's overview row and findings page the same with 2 runs and with 8", async () => {
    const row = async () => {
      const p = (await get(`/api/overview?search=${ALPHA.id}`)).json().partners[0];
      return [p.score, p.grade, p.lockedOut, p.failingCriticalControls, p.monthlySpend];
    };
    const page = async () =>
      (await get(`/api/findings?partnerId=${ALPHA.id}&limit=50`))
        .json()
        .findings.map((f: Record<string, unknown>) => [
          f.payerAccountId,
          f.controlId,
          f.resource,
          f.status,
          f.severity,
          f.message,
        ]);
    const before = { row: await row(), page: await page() };
    const { db } = h.database;
    for (let i = 3; i <= 8; i++) {
      const runId = `run-${i}`;
      await db.execute(sql`insert into runs (id, status, trigger, created_at)
        values (${runId}, 'completed', 'manual', (select created_at from runs where id = 'run-2') + ${`${i} minutes`}::interval)`);
      await db.execute(sql`insert into evidence (run_id, payer_account_id, partner_id, collected_at, data)
        select ${runId}, payer_account_id, partner_id, collected_at, data from evidence where run_id = 'run-2'`);
      await scoreRun(db, runId);
    }
    const after = (await get(`/api/overview?search=${ALPHA.id}`)).json().partners[0];
    expect(after.lastRunId).toBe('run-8');
    expect(after.trend.length).toBeGreaterThan(2);
    expect({ row: await row(), page: await page() }).toEqual(before);
  });
});
