import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig, schema } from '@payerguard/core';
import { scoreRun } from '@payerguard/core/engine/score-run';
import { breaks, compliantEvidence } from '@payerguard/core/testing/evidence';
import { startSimulator } from '@payerguard/sim';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './app.js';
import { ALPHA, BETA, SECRETS, USERS } from './testing/fixtures.js';
import { asSession, type Harness, type Login, login, startHarness } from './testing/harness.js';

let h: Harness;
let admin: Login;
let analyst: Login;
const get = (url: string, s: Login = analyst) => h.app.inject({ method: 'GET', url, headers: asSession(s) });
const send = (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, s: Login = admin) =>
  h.app.inject({
    method,
    url,
    headers: asSession(s),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.app, USERS.admin);
  analyst = await login(h.app, USERS.analyst);
});
afterAll(async () => h?.close());

describe('overview', () => {
  it('lists every partner with score, grade, delta, trend, spend, lockout and failing critical controls, and totals', async () => {
    const r = await get('/api/overview?sort=score&order=asc');
    expect(r.statusCode).toBe(200);
    const o = r.json();
    expect(o.total).toBe(2);
    const [first, second] = o.partners;
    // Beta is locked out in run 2: it ranks worst.
    expect(first).toMatchObject({ id: BETA.id, lockedOut: true, collected: true });
    expect(first.failingCriticalControls).toContain('ACCESS-COLLECTOR-ROLE');
    expect(second).toMatchObject({
      id: ALPHA.id,
      score: 60,
      grade: 'D',
      scoreDelta: -40,
      trend: [100, 60],
      lockedOut: false,
    });
    expect(second.failingCriticalControls).toEqual(['OWN-ROOT-EMAIL-DOMAIN']);
    expect(second.monthlySpend).toBeGreaterThan(0);
    expect(o.totals).toMatchObject({ partners: 2, collected: 2, lockouts: 1, failingCritical: 2, compliantShare: 0 });
    expect(o.totals.spendAtRisk).toBeGreaterThan(0);
    expect(o.totals.byGrade.D + o.totals.byGrade.F).toBe(2);
    expect(o.estateTrend.map((t: { runId: string }) => t.runId)).toEqual(['run-1', 'run-2']);
    expect(o.estateTrend[0]).toMatchObject({ averageScore: 100, lockouts: 0, spendAtRisk: 0 });
    expect(o.estateTrend[1].lockouts).toBe(1);
  });

  it('filters by grade, lockout, failing control and search, sorts and paginates', async () => {
    const ids = async (q: string) => (await get(`/api/overview?${q}`)).json().partners.map((p: { id: string }) => p.id);
    expect(await ids('lockout=true')).toEqual([BETA.id]);
    expect(await ids('lockout=false')).toEqual([ALPHA.id]);
    expect(await ids('failingControl=OWN-ROOT-EMAIL-DOMAIN')).toEqual([ALPHA.id]);
    expect(await ids('failingControl=NO-SUCH-CONTROL')).toEqual([]);
    expect(await ids('grade=D')).toEqual([ALPHA.id]);
    // Both are at risk: one locked out, the other failing a critical control; none is unscored.
    expect(await ids('risk=yes&sort=id')).toEqual([ALPHA.id, BETA.id].sort());
    expect(await ids('risk=no')).toEqual([]);
    expect(await ids('risk=unknown')).toEqual([]);
    expect(await ids('search=gmbh')).toEqual([BETA.id]);
    expect(await ids(`search=${ALPHA.payer}`)).toEqual([ALPHA.id]);
    expect(await ids('sort=name&order=desc')).toEqual([BETA.id, ALPHA.id]);
    const page = (await get('/api/overview?sort=name&limit=1&offset=1')).json();
    expect(page.partners.map((p: { id: string }) => p.id)).toEqual([BETA.id]);
    expect(page.total).toBe(2);
    expect(page.nextOffset).toBeNull();
    for (const bad of ['limit=0', 'limit=abc', 'grade=Z', 'sort=evil', 'offset=-1', 'lockout=maybe', 'risk=maybe'])
      expect((await get(`/api/overview?${bad}`)).statusCode, bad).toBe(400);
  });

  it("builds the partners x controls heatmap from each partner's latest run", async () => {
    const m = (await get('/api/overview/matrix?sort=id')).json();
    expect(m.controls.length).toBeGreaterThan(10);
    const alpha = m.rows.find((r: { partnerId: string }) => r.partnerId === ALPHA.id);
    expect(alpha.cells['OWN-ROOT-EMAIL-DOMAIN']).toBe('fail');
    expect(alpha.cells['ROOT-MFA']).toBe('pass');
    const beta = m.rows.find((r: { partnerId: string }) => r.partnerId === BETA.id);
    expect(beta.cells['ACCESS-COLLECTOR-ROLE']).toBe('fail');
  });
});

describe('drill-down, findings, controls', () => {
  it('shows findings with evidence and remediation, members, principals, coverage, root events, history and changes', async () => {
    const d = (await get(`/api/partners/${ALPHA.id}`)).json();
    const f = d.findings.find((x: { controlId: string }) => x.controlId === 'OWN-ROOT-EMAIL-DOMAIN');
    expect(f).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(f.evidence.rootEmail).toBe('it@partner.example');
    expect(f.remediation).toMatch(/root email/i);
    expect(d.memberAccounts.length).toBeGreaterThan(0);
    expect(
      d.principals.some(
        (p: { name: string; hasDistributorBoundary: boolean }) => p.name === 'PartnerAdmin' && p.hasDistributorBoundary,
      ),
    ).toBe(true);
    expect(d.boundaryCoverage).toMatchObject({ uncovered: 0, share: 1 });
    expect(d.rootEvents.length).toBeGreaterThan(0);
    expect(d.history.map((x: { score: number }) => x.score)).toEqual([100, 60]);
    expect(d.changes.new[0].controlId).toBe('OWN-ROOT-EMAIL-DOMAIN');
    expect(JSON.stringify(d)).not.toContain(SECRETS.externalIdAlpha);
    expect((await get('/api/partners/no-such')).statusCode).toBe(404);
  });

  it('lists findings across partners by control, status and severity', async () => {
    const crit = (await get('/api/findings?status=fail&severity=critical')).json();
    expect(crit.findings.map((x: { partnerId: string }) => x.partnerId).sort()).toEqual([ALPHA.id, BETA.id]);
    const one = (await get('/api/findings?controlId=ROOT-MFA&status=pass')).json();
    expect(one.findings.every((x: { controlId: string }) => x.controlId === 'ROOT-MFA')).toBe(true);
    expect(one.total).toBe(one.findings.length);
    expect((await get('/api/findings?status=broken')).statusCode).toBe(400);
  });

  it('shows open escalation paths from the policy analysis of the stored evidence', async () => {
    const at = new Date('2026-11-09T12:00:00Z');
    const ev = breaks.adminWithoutBoundary(
      compliantEvidence({ partnerId: 'epsilon', payerAccountId: '616161616161', collectedAt: at }),
    );
    await h.database.db.insert(schema.partners).values({ id: 'epsilon', name: 'Epsilon' });
    await h.database.db
      .insert(schema.runs)
      .values({ id: 'run-eps', status: 'completed', trigger: 'manual', total: 1, collected: 1, createdAt: at });
    await h.database.db
      .insert(schema.evidence)
      .values({ runId: 'run-eps', payerAccountId: '616161616161', partnerId: 'epsilon', collectedAt: at, data: ev });
    await scoreRun(h.database.db, 'run-eps');
    const d = (await get('/api/partners/epsilon')).json();
    expect(d.boundaryCoverage.uncovered).toBeGreaterThan(0);
    expect(d.escalationPaths.length).toBeGreaterThan(0);
    const p = d.escalationPaths[0];
    expect(p).toMatchObject({ payerAccountId: '616161616161', hasDistributorBoundary: false });
    expect(p.action).toMatch(/^[a-z0-9-]+:/);
    expect(d.principals.find((x: { arn: string }) => x.arn === p.principalArn)).toBeTruthy();
    // The compliant partner's admins are fenced: nothing open there.
    expect((await get(`/api/partners/${ALPHA.id}`)).json().escalationPaths).toEqual([]);
  });

  it('serves the control catalogue', async () => {
    const c = (await get('/api/controls')).json();
    expect(c.controls.find((x: { id: string }) => x.id === 'ROOT-MFA')).toMatchObject({
      severity: 'critical',
      category: 'root',
    });
    expect((await get('/api/controls/NOPE')).statusCode).toBe(404);
  });
});

describe('partners: add, onboard, edit, import, remove', () => {
  it('onboards a partner with a unique random ExternalId and the role template, visible to admins only', async () => {
    const a = await send('POST', '/api/partners', {
      id: 'gamma',
      name: 'Gamma',
      payers: [{ payerAccountId: '888888888888' }],
    });
    expect(a.statusCode).toBe(201);
    const ob = a.json().onboarding[0];
    expect(ob.externalId).toMatch(/^pg-[\w-]{30,}$/);
    expect(ob.trustPolicy.Statement[0].Condition.StringEquals['sts:ExternalId']).toBe(ob.externalId);
    expect(ob.cloudFormationTemplate.Resources.CollectorRole.Properties.RoleName).toBe('PayerGuardCollector');
    // The deploy kit's commands, filled in: this payer's ExternalId, the principal the trust policy names.
    expect(ob.deploy.collectorRole.parameters).toEqual({
      HubPrincipalArn: ob.trustPolicy.Statement[0].Principal.AWS,
      ExternalId: ob.externalId,
      RoleName: 'PayerGuardCollector',
    });
    expect(ob.deploy.collectorRole.stackSetInstance).toContain('--accounts 888888888888');
    expect(ob.deploy.permissionsBoundary.parameters.BoundaryPolicyName).toBe('DistributorPartnerBoundary');
    const b = await send('POST', '/api/partners/gamma/payers', { payerAccountId: '888888888889' });
    expect(b.statusCode).toBe(201);
    expect(b.json().externalId).not.toBe(ob.externalId);
    const view = await get('/api/partners/gamma/onboarding', admin);
    expect(view.json().payers.map((p: { externalId: string }) => p.externalId)).toContain(ob.externalId);
    expect((await get('/api/partners/gamma/onboarding', analyst)).statusCode).toBe(403);
    expect((await send('POST', '/api/partners', { id: 'gamma', name: 'again' })).statusCode).toBe(409);
    expect((await send('POST', '/api/partners/gamma/payers', { payerAccountId: ALPHA.payer })).statusCode).toBe(409);
  });

  it('edits and removes, and audits each change', async () => {
    expect(
      (await send('PATCH', '/api/partners/gamma', { name: 'Gamma Renamed', tags: { tier: 'gold' } })).statusCode,
    ).toBe(200);
    expect((await get('/api/partners/gamma')).json().partner).toMatchObject({
      name: 'Gamma Renamed',
      tags: { tier: 'gold' },
    });
    expect((await send('PATCH', '/api/partners/nope', { name: 'x' })).statusCode).toBe(404);
    expect((await send('DELETE', '/api/partners/gamma/payers/888888888889')).statusCode).toBe(200);
    expect((await send('DELETE', '/api/partners/gamma')).statusCode).toBe(200);
    expect((await get('/api/partners/gamma')).statusCode).toBe(404);
    const actions = (await get('/api/audit?limit=200', admin)).json().entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['partner.add', 'partner.edit', 'partner.remove']));
  });

  it('imports a registry all or nothing, with line numbers for every problem', async () => {
    const good = [
      {
        partnerId: 'delta',
        partnerName: 'Delta',
        payerAccountId: '121212121212',
        roleArn: 'arn:aws:iam::121212121212:role/PayerGuardCollector',
        externalId: 'ext-delta-1',
      },
    ];
    const bad = `${JSON.stringify(good[0])}\n{"partnerId":"Bad Id","payerAccountId":"12"}\nnot json`;
    const r = await send('POST', '/api/partners/import', { registry: bad });
    expect(r.statusCode).toBe(400);
    expect(r.json().problems.map((p: { line: number }) => p.line)).toEqual(expect.arrayContaining([2, 3]));
    expect((await get('/api/partners/delta')).statusCode).toBe(404);
    const ok = await send('POST', '/api/partners/import', { entries: good });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().imported).toMatchObject({ partners: 1, payers: 1 });
    expect((await get('/api/partners/delta')).statusCode).toBe(200);
    expect((await send('POST', '/api/partners/import', {})).statusCode).toBe(400);
  });

  it('checks access with one STS AssumeRole and records the outcome without leaking the ExternalId', async () => {
    expect((await send('POST', `/api/partners/${ALPHA.id}/check-access`, {}, analyst)).statusCode).toBe(403);
    const r = await send('POST', `/api/partners/${ALPHA.id}/check-access`, {}, admin);
    expect(r.statusCode).toBe(200);
    const [res] = r.json().results;
    // The harness points STS at a closed port: the failure must be reported, not thrown.
    expect(res).toMatchObject({ payerAccountId: ALPHA.payer, ok: false });
    expect(res.errorCode).toBeTruthy();
    const [row] = await h.database.db.select().from(schema.payers).where(eq(schema.payers.accountId, ALPHA.payer));
    expect(row!.lastAccessError).toContain(res.errorCode);
    expect((await send('POST', '/api/partners/no-such/check-access', {}, admin)).statusCode).toBe(404);
  });
});

describe('suppressions and settings', () => {
  it('admins create (reason, expiry; approver = themselves), list and revoke suppressions; analysts cannot', async () => {
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const body = { partnerId: ALPHA.id, controlId: 'ROOT-MONITOR-RULE', reason: 'rule rollout next week', expiresAt };
    expect((await send('POST', '/api/suppressions', body, analyst)).statusCode).toBe(403);
    const c = await send('POST', '/api/suppressions', body);
    expect(c.statusCode).toBe(201);
    expect(c.json()).toMatchObject({ approver: USERS.admin, createdBy: USERS.admin, status: 'active' });
    const id = c.json().id;
    expect(
      (await get(`/api/suppressions?partnerId=${ALPHA.id}`)).json().suppressions.map((s: { id: string }) => s.id),
    ).toContain(id);
    // The approver is whoever is signed in: a name in the body is dropped, never recorded.
    const named = await send('POST', '/api/suppressions', { ...body, approver: 'cfo@x' });
    expect(named.json().approver).toBe(USERS.admin);
    await send('DELETE', `/api/suppressions/${named.json().id}`);
    expect((await send('POST', '/api/suppressions', { ...body, controlId: 'TYPO' })).statusCode).toBe(400);
    expect((await send('POST', '/api/suppressions', { ...body, expiresAt: '2001-01-01T00:00:00Z' })).statusCode).toBe(
      400,
    );
    const tooLong = new Date(Date.now() + 91 * 86_400_000).toISOString();
    expect((await send('POST', '/api/suppressions', { ...body, expiresAt: tooLong })).json().message).toMatch(
      /at most 90 days/,
    );
    expect((await send('POST', '/api/suppressions', { ...body, expiresAt: 'soon' })).statusCode).toBe(400);
    expect((await send('POST', '/api/suppressions', { ...body, partnerId: 'no-such' })).statusCode).toBe(404);
    expect((await send('DELETE', `/api/suppressions/${id}`, undefined, analyst)).statusCode).toBe(403);
    expect((await send('DELETE', `/api/suppressions/${id}`)).statusCode).toBe(200);
    expect((await send('DELETE', `/api/suppressions/${id}`)).statusCode).toBe(404);
    expect((await get(`/api/suppressions?partnerId=${ALPHA.id}`)).json().suppressions).toEqual([]);
  });

  it('validates settings on PUT and keeps the old ones on a bad body', async () => {
    const s = (await get('/api/settings', admin)).json();
    const put = await send('PUT', '/api/settings', { ...s, domains: ['distributor.example', 'reseller.example'] });
    expect(put.statusCode).toBe(200);
    expect((await get('/api/settings')).json().domains).toEqual(['distributor.example', 'reseller.example']);
    for (const bad of [
      { ...s, hubAccountId: '12' },
      { ...s, domains: [] },
      { ...s, domains: ['@x'] },
      { ...s, rootLookbackDays: 'ninety' },
      'nope',
      [1],
    ])
      expect((await send('PUT', '/api/settings', bad)).statusCode, JSON.stringify(bad).slice(0, 60)).toBeOneOf([
        400, 415,
      ]);
    expect((await get('/api/settings')).json().domains).toEqual(['distributor.example', 'reseller.example']);
    const log = (await get('/api/audit?action=settings.update', admin)).json();
    expect(log.entries[0].detail.changed).toEqual(['domains']);
  });
});

describe('runs', () => {
  it('starts a run through the real queue (admins only, one at a time) and shows its per-payer outcome', async () => {
    expect((await send('POST', '/api/runs', undefined, analyst)).statusCode).toBe(403);
    const r = await send('POST', '/api/runs', undefined, admin);
    expect(r.statusCode).toBe(202);
    const { runId } = r.json();
    // A second start while the first is queued joins it instead of queueing another sweep.
    const again = await send('POST', '/api/runs', undefined, admin);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ runId, alreadyRunning: true });
    const one = (await get(`/api/runs/${runId}`)).json();
    expect(one.run).toMatchObject({ id: runId, status: 'queued', requestedBy: USERS.admin });
    expect(one.payers.map((p: { payerAccountId: string }) => p.payerAccountId)).toEqual(
      expect.arrayContaining([ALPHA.payer, BETA.payer]),
    );
    const jobs = await h.redis.keys(`${h.prefix}:*`);
    expect(jobs.length).toBeGreaterThan(0);
    expect((await get('/api/runs')).json().runs.map((x: { id: string }) => x.id)).toContain(runId);
    expect((await get('/api/runs/no-such')).statusCode).toBe(404);
  });

  it("starts a run over one partner's payers only (a partner's first collection), and refuses an unknown partner", async () => {
    // While the run above still has ALPHA's payer to collect, a run for ALPHA joins it.
    const joined = await send('POST', '/api/runs', { partnerId: ALPHA.id }, admin);
    expect(joined.statusCode).toBe(200);
    expect(joined.json()).toMatchObject({ alreadyRunning: true });
    await h.database.db.update(schema.runs).set({ status: 'completed' }).where(eq(schema.runs.id, joined.json().runId));
    const r = await send('POST', '/api/runs', { partnerId: ALPHA.id }, admin);
    expect(r.statusCode).toBe(202);
    const one = (await get(`/api/runs/${r.json().runId}`)).json();
    expect(one.run.total).toBe(1);
    expect(one.payers.map((p: { partnerId: string }) => p.partnerId)).toEqual([ALPHA.id]);
    expect((await send('POST', '/api/runs', { partnerId: 'no-such-partner' }, admin)).statusCode).toBe(404);
    expect((await send('POST', '/api/runs', { partnerId: 'Bad Id' }, admin)).statusCode).toBe(400);
    const viewer = await login(h.app, USERS.viewer);
    expect((await send('POST', '/api/runs', { partnerId: ALPHA.id }, viewer)).statusCode).toBe(403);
  });

  it('streams progress as server-sent events until the run is done', async () => {
    await h.database.db
      .insert(schema.runs)
      .values({ id: 'run-live', status: 'running', trigger: 'manual', total: 2, collected: 0 });
    const stream = h.app.inject({
      method: 'GET',
      url: '/api/runs/run-live/events',
      headers: { ...asSession(analyst), accept: 'text/event-stream' },
    });
    setTimeout(
      () =>
        void h.database.db.update(schema.runs).set({ collected: 1 }).where(eq(schema.runs.id, 'run-live')).execute(),
      150,
    );
    setTimeout(
      () =>
        void h.database.db
          .update(schema.runs)
          .set({ collected: 2, status: 'completed' })
          .where(eq(schema.runs.id, 'run-live'))
          .execute(),
      400,
    );
    const r = await stream;
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/event-stream/);
    const events = r.body
      .split('\n')
      .filter((l) => l.startsWith('event:'))
      .map((l) => l.slice(6).trim());
    expect(events[0]).toBe('progress');
    expect(events.filter((e) => e === 'progress').length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)).toBe('done');
    expect(r.body).toMatch(/"collected":2/);
  });
});

describe('bad input answers 4xx with a message, never 500', () => {
  it('handles malformed JSON, wrong types, oversized strings, wrong content types', async () => {
    const cases: { method: 'POST' | 'PUT' | 'PATCH'; url: string; body: string; type?: string }[] = [
      { method: 'POST', url: '/api/partners', body: '{"id":' },
      { method: 'POST', url: '/api/partners', body: '{"id":"UPPER","name":"x"}' },
      { method: 'POST', url: '/api/partners', body: JSON.stringify({ id: 'ok-id', name: 'x'.repeat(5000) }) },
      { method: 'POST', url: '/api/partners', body: '[]' },
      { method: 'POST', url: '/api/partners', body: 'id=x', type: 'application/x-www-form-urlencoded' },
      { method: 'POST', url: '/api/users', body: JSON.stringify({ email: 'x@y.z', password: 'short', role: 'admin' }) },
      {
        method: 'POST',
        url: '/api/users',
        body: JSON.stringify({ email: 'v@y.z', password: 'long-enough-1', role: 'partner_viewer' }),
      },
      {
        method: 'POST',
        url: '/api/users',
        body: JSON.stringify({ email: 'v@y.z', password: 'long-enough-1', role: 'root' }),
      },
      { method: 'POST', url: '/api/tokens', body: JSON.stringify({ name: '' }) },
      { method: 'PATCH', url: '/api/users/u-analyst', body: '{}' },
      { method: 'POST', url: '/api/auth/login', body: '{"email":5}' },
      { method: 'POST', url: '/api/auth/login', body: 'null' },
    ];
    for (const c of cases) {
      const r = await h.app.inject({
        method: c.method,
        url: c.url,
        headers: { ...asSession(admin), 'content-type': c.type ?? 'application/json' },
        payload: c.body,
      });
      expect(r.statusCode, `${c.method} ${c.url} ${c.body.slice(0, 40)} -> ${r.body}`).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, `${c.method} ${c.url} ${c.body.slice(0, 40)} -> ${r.body}`).toBeLessThan(500);
      expect(typeof r.json().message).toBe('string');
    }
    // Nothing half-made by the refused bodies.
    expect((await get('/api/partners/ok-id')).statusCode).toBe(404);
  });

  it('reports health: database, Redis and worker heartbeats', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      status: 'ok',
      database: { ok: true },
      redis: { ok: true },
      workers: { alive: 0 },
    });
    await h.redis.set(
      `${h.prefix}:heartbeat:w1`,
      JSON.stringify({
        workerId: 'w1',
        pid: 1,
        host: 'h',
        startedAt: new Date().toISOString(),
        at: new Date().toISOString(),
        concurrency: 4,
        active: 0,
      }),
      'EX',
      30,
    );
    const anon = (await h.app.inject({ method: 'GET', url: '/api/health' })).json();
    expect(anon.workers).toEqual({ alive: 1 });
    expect(JSON.stringify(anon)).not.toMatch(/"h"|pid|w1|latencyMs/);
    const staff = (await h.app.inject({ method: 'GET', url: '/api/health', headers: asSession(admin) })).json();
    expect(staff.workers.workers[0]).toMatchObject({ workerId: 'w1', host: 'h', pid: 1 });
  });
});

describe('the dashboard', () => {
  it('serves web/dist with an SPA fallback outside /api, and JSON 404s inside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root">payerguard-spa</div>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log("payerguard")');
    const app = await buildServer({
      db: h.database.db,
      config: loadConfig({}),
      logger: createLogger('silent'),
      webDist: dir,
    });
    try {
      const root = await app.inject({ method: 'GET', url: '/' });
      expect(root.statusCode).toBe(200);
      expect(root.body).toContain('payerguard-spa');
      const deep = await app.inject({ method: 'GET', url: '/partners/alpha?tab=findings' });
      expect(deep.statusCode).toBe(200);
      expect(deep.headers['content-type']).toMatch(/text\/html/);
      expect(deep.body).toContain('payerguard-spa');
      const asset = await app.inject({ method: 'GET', url: '/assets/app.js' });
      expect(asset.headers['content-type']).toMatch(/javascript/);
      // Hashed assets are kept by the browser; the page that names them is revalidated on every load.
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(root.headers['cache-control']).not.toContain('immutable');
      const api = await app.inject({ method: 'GET', url: '/api/does-not-exist' });
      expect(api.statusCode).toBe(404);
      expect(api.json()).toMatchObject({ error: 'Not Found' });
      expect(root.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('check-access against the AWS simulator (the production STS path)', () => {
  it('assumes registered collector roles, and is refused with a tampered ExternalId', async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'AKIATESTHUB000000001';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test-hub-secret-not-real';
    const sim = await startSimulator({ port: 0, partners: 4, seed: 11 });
    const app = await buildServer({
      db: h.database.db,
      config: { ...loadConfig({}), awsEndpointUrl: sim.url },
      logger: createLogger('silent'),
    });
    try {
      const reg = sim.registry();
      await h.database.db.insert(schema.partners).values({ id: 'simco', name: 'Sim Co' });
      await h.database.db.insert(schema.payers).values(
        reg.map((e) => ({
          accountId: e.payerAccountId,
          partnerId: 'simco',
          roleArn: e.roleArn,
          externalId: e.externalId,
        })),
      );
      const s = await login(app, USERS.admin);
      const r = await app.inject({
        method: 'POST',
        url: '/api/partners/simco/check-access',
        headers: asSession(s),
        payload: {},
      });
      expect(r.statusCode).toBe(200);
      const results: { payerAccountId: string; ok: boolean; assumedRoleArn?: string }[] = r.json().results;
      expect(results).toHaveLength(reg.length);
      const ok = results.filter((x) => x.ok);
      expect(ok.length).toBeGreaterThan(0);
      for (const x of ok) expect(x.assumedRoleArn).toContain(x.payerAccountId);
      for (const e of reg) expect(r.body).not.toContain(e.externalId);
      expect(r.body).not.toMatch(/SecretAccessKey|SessionToken/);
      const first = ok[0]!.payerAccountId;
      await h.database.db
        .update(schema.payers)
        .set({ externalId: 'tampered-external-id' })
        .where(eq(schema.payers.accountId, first));
      const bad = await app.inject({
        method: 'POST',
        url: '/api/partners/simco/check-access',
        headers: asSession(s),
        payload: { payerAccountId: first },
      });
      expect(bad.json().results[0]).toMatchObject({ ok: false, errorCode: 'AccessDenied' });
    } finally {
      await app.close();
      await sim.close();
    }
  });
});
