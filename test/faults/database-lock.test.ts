import { createUser } from '@payerguard/server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Proc } from './harness/processes.js';
import { type Scenario, startScenario } from './harness/scenario.js';
import { freePort } from './harness/servers.js';

/**
 * A statement of the API's waits on a lock somebody else holds (a long write, a migration run by hand, an operator's
 * open transaction). Without a statement timeout each such request holds one of the pool's 10 connections for as
 * long as the lock lasts: ten of them and every other request of the API waits too. With API_STATEMENT_TIMEOUT_MS
 * the server cancels the statement, the request answers 503 saying why, and the connection serves the next request.
 */
let s: Scenario;
let api: Proc;
let base: string;
let cookie: string;

const PASSWORD = 'correct horse battery staple';
const TIMEOUT_MS = 400;

const get = (path: string) =>
  fetch(`${base}${path}`, { headers: { cookie }, signal: AbortSignal.timeout(20_000) }).then(async (r) => ({
    status: r.status,
    retryAfter: r.headers.get('retry-after'),
    body: (await r.json()) as { message?: string },
  }));

beforeAll(async () => {
  s = await startScenario({ partners: 2, seed: 5 });
  await createUser(s.database.db, { email: 'ops@example.com', password: PASSWORD, role: 'admin' });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  api = s.spawn('api', ['api'], {
    PORT: String(port),
    HOST: '127.0.0.1',
    API_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS),
  });
  await eventually('the API', async () => (await fetch(`${base}/api/health`)).status === 200, 60_000);
  const r = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ops@example.com', password: PASSWORD }),
  });
  expect(r.status).toBe(200);
  cookie = String(r.headers.get('set-cookie')).split(';')[0]!;
}, 120_000);

afterAll(async () => s?.close());

describe('a table locked under the API', () => {
  it('answers 503 after the timeout, keeps serving everything else, and answers again once the lock is gone', async () => {
    expect((await get('/api/audit')).status).toBe(200);
    const holder = new pg.Client({ connectionString: s.pg.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('lock table audit_log in access exclusive mode');
      // More requests than the pool has connections: each gives its connection back when its statement is cancelled.
      const started = Date.now();
      const blocked = await Promise.all(Array.from({ length: 15 }, () => get('/api/audit')));
      const took = Date.now() - started;
      expect(blocked.map((b) => b.status)).toEqual(Array(15).fill(503));
      expect(blocked[0]?.body.message).toMatch(/did not answer in time/);
      expect(blocked[0]?.retryAfter).toBe('5');
      // Two rounds of the pool at most, far from the 20 s the requests would otherwise wait (and the lock lasts).
      expect(took).toBeLessThan(10_000);
      // Requests that need no locked table are answered meanwhile.
      const partners = await get('/api/partners');
      expect(partners.status).toBe(200);
      // The API says why in its log, and the session's secret is not in it.
      expect(api.out()).toContain('database statement timed out');
      expect(api.out()).not.toContain(cookie.split('=')[1]);
    } finally {
      await holder.query('rollback').catch(() => {});
      await holder.end();
    }
    expect((await get('/api/audit')).status).toBe(200);
    expect(api.alive()).toBe(true);
  }, 60_000);
});
