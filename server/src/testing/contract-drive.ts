import type { FastifyInstance } from 'fastify';
import { ALPHA, USERS } from './fixtures.js';
import { asSession, type Login, login } from './harness.js';

/** One request the contract drive made, and what came back. */
export interface Exchange {
  /** `METHOD /route/:pattern`, as the app registered the route (and as OpenAPI names the path). */
  route: string;
  url: string;
  as: 'admin' | 'admin2' | 'analyst' | 'viewer' | 'anonymous';
  status: number;
  contentType: string;
  body: unknown;
}

type Who = Exchange['as'];
const ADMIN2 = 'admin2@test.local';
const ADMIN2_PASSWORD = 'Second-Admin-Password-42';

/**
 * Calls every API route, as each kind of caller and into its error answers, against the fixtures' estate
 * (testing/fixtures.ts). The contract test validates each body against the route's declared response schema; the
 * same drive recorded the answers before the schemas existed, so fields the serializer would drop show up as a diff.
 * Order matters: later calls use ids earlier ones created.
 */
export async function driveEveryRoute(app: FastifyInstance): Promise<Exchange[]> {
  const out: Exchange[] = [];
  const sessions: Partial<Record<Who, Login>> = {
    admin: await login(app, USERS.admin),
    analyst: await login(app, USERS.analyst),
    viewer: await login(app, USERS.viewer),
  };
  const call = async (as: Who, method: string, route: string, url: string, payload?: unknown) => {
    const s = sessions[as];
    const r = await app.inject({
      method: method as 'GET',
      url,
      headers: s ? asSession(s) : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    const contentType = String(r.headers['content-type'] ?? '');
    let body: unknown = r.body;
    if (contentType.includes('json')) body = r.json();
    const e: Exchange = { route: `${method} ${route}`, url, as, status: r.statusCode, contentType, body };
    out.push(e);
    return e;
  };
  const get = (as: Who, route: string, url = route) => call(as, 'GET', route, url);
  const bodyOf = <T>(e: Exchange) => e.body as T;

  // Reading: every GET, as staff, a partner viewer and nobody.
  await get('anonymous', '/api/health');
  await get('admin', '/api/health');
  await get('viewer', '/api/health');
  await get('anonymous', '/api/overview');
  for (const as of ['admin', 'analyst', 'viewer'] as const) {
    await get(as, '/api/me');
    await get(as, '/api/overview', '/api/overview?trendPoints=5');
    await get(as, '/api/overview/matrix');
    await get(as, '/api/findings', '/api/findings?limit=500');
    await get(as, '/api/partners');
    await get(as, '/api/partners/:id', `/api/partners/${ALPHA.id}`);
    await get(as, '/api/suppressions', '/api/suppressions?includeExpired=true');
    await get(as, '/api/tokens');
    await get(as, '/api/exports');
    await get(as, '/api/root-access-windows');
    await get(as, '/api/root-events');
  }
  await get('admin', '/api/partners/:id', '/api/partners/beta');
  await get('admin', '/api/partners/:id', '/api/partners/nobody');
  await get('anonymous', '/api/auth/demo-logins');
  await get('admin', '/api/findings', '/api/findings?status=bogus');
  await get('admin', '/api/controls');
  await get('admin', '/api/controls/:id', '/api/controls/ROOT-MFA');
  await get('admin', '/api/controls/:id', '/api/controls/NO-SUCH');
  await get('admin', '/api/settings');
  await get('admin', '/api/users');
  await get('admin', '/api/audit', '/api/audit?limit=20');
  await get('viewer', '/api/runs');
  const runs = await get('analyst', '/api/runs');
  const runId = bodyOf<{ runs: { id: string }[] }>(runs).runs[0]?.id ?? 'run-2';
  await get('analyst', '/api/runs/:id', `/api/runs/${runId}`);
  await get('analyst', '/api/runs/:id', '/api/runs/no-such-run');
  await get('analyst', '/api/partners/:id/onboarding', `/api/partners/${ALPHA.id}/onboarding`);
  await get('admin', '/api/partners/:id/onboarding', `/api/partners/${ALPHA.id}/onboarding`);

  // Partners: add, edit, payers, access check, import, remove.
  await call('admin', 'POST', '/api/partners', '/api/partners', {
    id: 'gamma',
    name: 'Gamma Partner',
    tags: { region: 'apac' },
    payers: [{ payerAccountId: '333333333333' }],
  });
  await call('admin', 'POST', '/api/partners', '/api/partners', { id: 'gamma', name: 'Gamma again' });
  await call('admin', 'PATCH', '/api/partners/:id', '/api/partners/gamma', { name: 'Gamma Partner Ltd' });
  await call('admin', 'POST', '/api/partners/:id/payers', '/api/partners/gamma/payers', {
    payerAccountId: '444444444444',
  });
  await call('admin', 'POST', '/api/partners/:id/check-access', '/api/partners/gamma/check-access', {
    payerAccountId: '444444444444',
  });
  await call('admin', 'DELETE', '/api/partners/:id/payers/:accountId', '/api/partners/gamma/payers/444444444444');
  await get('admin', '/api/partners/:id', '/api/partners/gamma');
  const entry = {
    partnerId: 'delta',
    partnerName: 'Delta Reseller',
    payerAccountId: '555555555555',
    roleArn: 'arn:aws:iam::555555555555:role/PayerGuardCollector',
    externalId: 'ext-delta-0123456789',
  };
  await call('admin', 'POST', '/api/partners/import', '/api/partners/import', { entries: [entry], dryRun: true });
  await call('admin', 'POST', '/api/partners/import', '/api/partners/import', { entries: [{ partnerId: 'Bad!' }] });
  await call('admin', 'POST', '/api/partners/import', '/api/partners/import', { entries: [entry] });
  await call('admin', 'DELETE', '/api/partners/:id', '/api/partners/delta');

  // Runs: a run is queued (no worker here, so it stays queued) and a second start joins it.
  await call('admin', 'POST', '/api/runs', '/api/runs');
  await call('admin', 'POST', '/api/runs', '/api/runs', { partnerId: 'gamma' });
  await call('admin', 'DELETE', '/api/partners/:id', '/api/partners/gamma');

  // Users: a second admin, who approves what the first one asked for.
  const u = await call('admin', 'POST', '/api/users', '/api/users', {
    email: ADMIN2,
    password: ADMIN2_PASSWORD,
    role: 'admin',
    name: 'Second Admin',
  });
  await call('admin', 'POST', '/api/users', '/api/users', { email: 'x@test.local', password: 'p', role: 'admin' });
  const viewer2 = await call('admin', 'POST', '/api/users', '/api/users', {
    email: 'viewer2@test.local',
    password: ADMIN2_PASSWORD,
    role: 'partner_viewer',
    partnerId: ALPHA.id,
  });
  await call('admin', 'PATCH', '/api/users/:id', `/api/users/${bodyOf<{ id: string }>(viewer2).id}`, {
    disabled: true,
  });
  sessions.admin2 = await login(app, bodyOf<{ email: string }>(u).email, ADMIN2_PASSWORD);

  // Suppressions: a plain one, a critical one that waits for the second admin, a revoke.
  const low = await call('admin', 'POST', '/api/suppressions', '/api/suppressions', {
    partnerId: ALPHA.id,
    controlId: 'ROOT-HARDWARE-MFA',
    reason: 'monitor rule deployed next sprint',
    expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  });
  const critical = await call('admin', 'POST', '/api/suppressions', '/api/suppressions', {
    partnerId: ALPHA.id,
    controlId: 'OWN-ROOT-EMAIL-DOMAIN',
    reason: 'domain transfer in progress',
    expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  });
  const criticalId = bodyOf<{ id: string }>(critical).id;
  await call('admin', 'POST', '/api/suppressions/:id/approve', `/api/suppressions/${criticalId}/approve`);
  await call('admin2', 'POST', '/api/suppressions/:id/approve', `/api/suppressions/${criticalId}/approve`);
  await get('admin', '/api/suppressions');
  await get('admin', '/api/partners/:id', `/api/partners/${ALPHA.id}`);
  await call('admin', 'DELETE', '/api/suppressions/:id', `/api/suppressions/${bodyOf<{ id: string }>(low).id}`);
  await call('admin', 'DELETE', '/api/suppressions/:id', '/api/suppressions/no-such');

  // Settings: written back as read.
  const settings = await get('admin', '/api/settings');
  await call('admin', 'PUT', '/api/settings', '/api/settings', settings.body);
  await call('admin', 'PUT', '/api/settings', '/api/settings', { distributorName: '' });

  // Tokens: create, list, revoke.
  const token = await call('analyst', 'POST', '/api/tokens', '/api/tokens', { name: 'ci', expiresInDays: 30 });
  await get('analyst', '/api/tokens');
  await get('admin', '/api/tokens', '/api/tokens?all=true');
  await call('analyst', 'DELETE', '/api/tokens/:id', `/api/tokens/${bodyOf<{ id: string }>(token).id}`);

  // Export schedules and exports (no export worker here: an export stays pending, its download answers 409).
  const schedule = {
    name: 'Weekly audit pack',
    cron: '0 6 * * 1',
    timezone: 'Europe/Berlin',
    format: 'csv',
    scope: { grades: ['D', 'F'] },
    retentionDays: 30,
    delivery: {
      s3: { bucket: 'audit-bucket', prefix: 'payerguard/' },
      webhook: { url: 'https://hooks.example.com/x' },
    },
  };
  const created = await call('admin', 'POST', '/api/export-schedules', '/api/export-schedules', schedule);
  const scheduleId = bodyOf<{ schedule: { id: string } }>(created).schedule.id;
  await get('admin', '/api/export-schedules');
  await get('analyst', '/api/export-schedules');
  await get('analyst', '/api/export-schedules/:id', `/api/export-schedules/${scheduleId}`);
  await call('admin', 'PUT', '/api/export-schedules/:id', `/api/export-schedules/${scheduleId}?rotateSecret=true`, {
    ...schedule,
    enabled: false,
  });
  await call('admin', 'DELETE', '/api/export-schedules/:id', `/api/export-schedules/${scheduleId}`);
  await get('admin', '/api/export-schedules/:id', `/api/export-schedules/${scheduleId}`);
  const exp = await call('admin', 'POST', '/api/exports', '/api/exports', { format: 'json', scope: { grades: ['D'] } });
  const viewerExport = await call('viewer', 'POST', '/api/exports', '/api/exports', { format: 'csv' });
  const exportId = bodyOf<{ id: string }>(exp).id;
  await get('admin', '/api/exports/:id', `/api/exports/${exportId}`);
  await get('viewer', '/api/exports/:id', `/api/exports/${exportId}`);
  await get('viewer', '/api/exports/:id', `/api/exports/${bodyOf<{ id: string }>(viewerExport).id}`);
  await get('admin', '/api/exports/:id/download', `/api/exports/${exportId}/download`);
  await get('admin', '/api/exports');

  // Two-party root access: the partner asks, the distributor decides; then the other way round.
  const soon = Date.now() + 3_600_000;
  const window = {
    partnerId: ALPHA.id,
    payerAccountId: ALPHA.payer,
    reason: 'CHG-1234: close a member account',
    startsAt: new Date(soon).toISOString(),
    endsAt: new Date(soon + 3_600_000).toISOString(),
  };
  const w1 = await call('viewer', 'POST', '/api/root-access-windows', '/api/root-access-windows', window);
  const w1Id = bodyOf<{ id: string }>(w1).id;
  await call('viewer', 'POST', '/api/root-access-windows/:id/approve', `/api/root-access-windows/${w1Id}/approve`, {});
  await call('admin', 'POST', '/api/root-access-windows/:id/approve', `/api/root-access-windows/${w1Id}/approve`, {
    note: 'ok for the ticket',
  });
  const w2 = await call('admin', 'POST', '/api/root-access-windows', '/api/root-access-windows', window);
  const w2Id = bodyOf<{ id: string }>(w2).id;
  await call('viewer', 'POST', '/api/root-access-windows/:id/reject', `/api/root-access-windows/${w2Id}/reject`, {});
  await get('viewer', '/api/root-access-windows/:id', `/api/root-access-windows/${w1Id}`);
  await get('analyst', '/api/root-access-windows');
  await get('viewer', '/api/partners/:id', `/api/partners/${ALPHA.id}`);

  // Alert channels.
  const channel = await call('admin', 'POST', '/api/alert-channels', '/api/alert-channels', {
    kind: 'webhook',
    url: 'https://hooks.example.com/services/T000/B000/secret',
    events: ['root-activity', 'lockout'],
  });
  const channelId = bodyOf<{ id: string }>(channel).id;
  await call('admin', 'POST', '/api/alert-channels', '/api/alert-channels', {
    kind: 'webhook',
    url: 'http://127.0.0.1/hook',
    events: ['lockout'],
  });
  await get('admin', '/api/alert-channels');
  await get('analyst', '/api/alert-channels');
  await get('analyst', '/api/alert-channels/:id/deliveries', `/api/alert-channels/${channelId}/deliveries`);
  await call('admin', 'DELETE', '/api/alert-channels/:id', `/api/alert-channels/${channelId}`);

  // The audit log now holds every kind of entry above; then log out.
  await get('admin', '/api/audit', '/api/audit?limit=200');
  await call('analyst', 'POST', '/api/auth/logout', '/api/auth/logout');
  await call('anonymous', 'POST', '/api/auth/login', '/api/auth/login', { email: USERS.admin, password: 'wrong' });
  return out;
}
