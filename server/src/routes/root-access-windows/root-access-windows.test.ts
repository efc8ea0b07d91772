import { schema } from '@payerguard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../auth/passwords.js';
import { ALPHA, BETA, SECRETS, USERS } from '../../testing/fixtures.js';
import { asSession, type Harness, type Login, login, startHarness } from '../../testing/harness.js';

let h: Harness;
let admin: Login;
let admin2: Login;
let analyst: Login;
let viewer: Login;
let viewer2: Login;

const ADMIN2 = 'admin2@test.local';
const VIEWER2 = 'viewer2-alpha@test.local';
const send = (s: Login, url: string, payload: object = {}) =>
  h.app.inject({ method: 'POST', url, headers: asSession(s), payload });
const get = (s: Login, url: string) => h.app.inject({ method: 'GET', url, headers: asSession(s) });

const inHours = (n: number) => new Date(Date.now() + n * 3_600_000).toISOString();
const request = (over: Record<string, unknown> = {}) => ({
  partnerId: ALPHA.id,
  payerAccountId: ALPHA.payer,
  reason: 'CHG-7 update the support plan',
  startsAt: inHours(1),
  endsAt: inHours(3),
  ...over,
});

beforeAll(async () => {
  h = await startHarness();
  const passwordHash = await hashPassword(SECRETS.password);
  await h.database.db.insert(schema.users).values([
    { id: 'u-admin2', email: ADMIN2, passwordHash, role: 'admin' },
    { id: 'u-viewer2', email: VIEWER2, passwordHash, role: 'partner_viewer', partnerId: ALPHA.id },
  ]);
  admin = await login(h.app, USERS.admin);
  admin2 = await login(h.app, ADMIN2);
  analyst = await login(h.app, USERS.analyst);
  viewer = await login(h.app, USERS.viewer);
  viewer2 = await login(h.app, VIEWER2);
});
afterAll(async () => h?.close());

describe('two-party root access over the API', () => {
  it("a partner viewer requests for its own payer; a distributor admin approves; the requester can't; all audited", async () => {
    const r = await send(viewer, '/api/root-access-windows', request());
    expect(r.statusCode, r.body).toBe(201);
    const w = r.json();
    expect(w).toMatchObject({
      state: 'pending',
      requestedBy: USERS.viewer,
      requestedBySide: 'partner',
      decidedBySide: 'distributor',
    });

    const self = await send(viewer, `/api/root-access-windows/${w.id}/approve`);
    expect(self.statusCode).toBe(403);
    expect(self.json().message).toMatch(/you requested this window/);
    // Another viewer of the same partner is the same side: not a second party.
    expect((await send(viewer2, `/api/root-access-windows/${w.id}/approve`)).statusCode).toBe(403);
    // Analysts read, never decide.
    expect((await send(analyst, `/api/root-access-windows/${w.id}/approve`)).statusCode).toBe(403);
    expect((await get(analyst, `/api/root-access-windows/${w.id}`)).json().state).toBe('pending');

    const ok = await send(admin, `/api/root-access-windows/${w.id}/approve`, { note: 'agreed on the call' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ state: 'approved', decidedBy: USERS.admin, decisionNote: 'agreed on the call' });
    expect((await send(admin2, `/api/root-access-windows/${w.id}/reject`)).statusCode).toBe(409);

    const log = (await get(admin, `/api/audit?target=${w.id}`)).json().entries as { action: string; actor: string }[];
    expect(log.map((e) => [e.action, e.actor]).reverse()).toEqual([
      ['root-window.request', USERS.viewer],
      ['root-window.approve', USERS.admin],
    ]);
  });

  it("an admin's request is decided by the partner's viewer, not by another admin", async () => {
    const w = (await send(admin, '/api/root-access-windows', request({ reason: 'close a member account' }))).json();
    expect(w.decidedBySide).toBe('partner');
    expect((await send(admin, `/api/root-access-windows/${w.id}/approve`)).statusCode).toBe(403);
    const other = await send(admin2, `/api/root-access-windows/${w.id}/approve`);
    expect(other.statusCode).toBe(403);
    expect(other.json().message).toMatch(/partner's viewer decides it/);
    const rej = await send(viewer, `/api/root-access-windows/${w.id}/reject`, { note: 'not this week' });
    expect(rej.json()).toMatchObject({ state: 'rejected', decidedBy: USERS.viewer });
    const log = (await get(admin, `/api/audit?target=${w.id}`)).json().entries as { action: string }[];
    expect(log.map((e) => e.action).sort()).toEqual(['root-window.reject', 'root-window.request']);
  });

  it('validates the request: bounded duration, no past start, known payer of that partner, no extra fields', async () => {
    const bad = async (body: object, re: RegExp) => {
      const r = await send(admin, '/api/root-access-windows', body);
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().message).toMatch(re);
    };
    await bad(request({ endsAt: inHours(30) }), /at most 24 hours/);
    await bad(request({ startsAt: inHours(-3), endsAt: inHours(1) }), /must not be in the past/);
    await bad(request({ endsAt: inHours(0.5) }), /endsAt: must be after startsAt/);
    await bad(request({ payerAccountId: BETA.payer }), /is not a payer account of partner alpha/);
    await bad(request({ startsAt: 'tomorrow' }), /startsAt/);
    await bad(request({ reason: '' }), /reason/);
    // A smuggled decision is dropped (Fastify strips unknown fields): the window still waits for the other side.
    const smuggled = await send(admin, '/api/root-access-windows', request({ state: 'approved', decidedBy: 'me' }));
    expect(smuggled.json()).toMatchObject({ state: 'pending', decidedBy: null, requestedBy: USERS.admin });
    expect((await send(admin, '/api/root-access-windows', request({ partnerId: 'nobody' }))).statusCode).toBe(404);
    expect((await send(analyst, '/api/root-access-windows', request())).statusCode).toBe(403);
  });

  it("never shows a viewer another partner's windows, nor lets it act on them", async () => {
    const w = (
      await send(admin, '/api/root-access-windows', request({ partnerId: BETA.id, payerAccountId: BETA.payer }))
    ).json();
    expect(w.partnerId).toBe(BETA.id);
    expect(
      (await send(viewer, '/api/root-access-windows', request({ partnerId: BETA.id, payerAccountId: BETA.payer })))
        .statusCode,
    ).toBe(404);
    expect((await get(viewer, `/api/root-access-windows/${w.id}`)).statusCode).toBe(404);
    expect((await send(viewer, `/api/root-access-windows/${w.id}/approve`)).statusCode).toBe(404);
    const mine = (await get(viewer, '/api/root-access-windows')).json().windows as { partnerId: string }[];
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((x) => x.partnerId))).toEqual(new Set([ALPHA.id]));
    expect((await get(viewer, `/api/root-access-windows?partnerId=${BETA.id}`)).json().windows).toEqual([]);
    expect((await get(viewer, '/api/root-access-windows')).body).not.toContain(BETA.payer);
  });

  it('lists with filters: pending requests for the distributor, by partner and state', async () => {
    const pending = (await get(analyst, '/api/root-access-windows?state=pending')).json().windows as {
      state: string;
      partnerId: string;
    }[];
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.every((x) => x.state === 'pending')).toBe(true);
    const approved = (await get(admin, `/api/root-access-windows?state=approved&partnerId=${ALPHA.id}`)).json().windows;
    expect(approved).toHaveLength(1);
    expect((await get(admin, '/api/root-access-windows?state=bogus')).statusCode).toBe(400);
  });

  it("shows the partner's windows in its drill-down", async () => {
    const d = (await get(viewer, `/api/partners/${ALPHA.id}`)).json();
    expect(d.rootAccess.windows.length).toBeGreaterThanOrEqual(2);
    expect(d.rootAccess.windows.map((w: { state: string }) => w.state)).toEqual(
      expect.arrayContaining(['approved', 'rejected']),
    );
    expect(JSON.stringify(d.rootAccess)).not.toContain(BETA.payer);
  });
});
