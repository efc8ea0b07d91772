import { createLogger } from '@payerguard/core';
import { auditLog } from '@payerguard/core/db/schema';
import { type ExportWorkers, startExportWorkers } from '@payerguard/workers/exports/index';
import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALPHA, BETA, USERS } from '../../testing/fixtures.js';
import { asSession, type Harness, json, type Login, login, startHarness } from '../../testing/harness.js';

describe('exports API', () => {
  let h: Harness;
  let workers: ExportWorkers;
  let admin: Login;
  let analyst: Login;
  let viewer: Login;

  beforeAll(async () => {
    h = await startHarness();
    workers = await startExportWorkers({
      db: h.database.db,
      config: { ...(await import('@payerguard/core')).loadConfig({}), logLevel: 'silent' },
      logger: createLogger('silent'),
      prefix: h.prefix,
    });
    [admin, analyst, viewer] = await Promise.all([
      login(h.app, USERS.admin),
      login(h.app, USERS.analyst),
      login(h.app, USERS.viewer),
    ]);
  });
  afterAll(async () => {
    await workers?.close();
    await h?.close();
  });

  const post = (who: Login, url: string, payload: unknown) =>
    h.app.inject({ method: 'POST', url, headers: asSession(who), payload: payload as object });
  const get = (who: Login, url: string) => h.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
  const ready = async (who: Login, id: string) => {
    for (let i = 0; i < 200; i++) {
      const r = json(await get(who, `/api/exports/${id}`));
      if (r?.status === 'ready' || r?.status === 'failed') return r;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`export ${id} never finished`);
  };

  it('a partner viewer exports their own partner only, without spend, and downloads it (audited)', async () => {
    const r = await post(viewer, '/api/exports', { format: 'csv' });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ partnerId: ALPHA.id, audience: 'partner', status: 'pending' });
    const rec = await ready(viewer, r.json().id);
    expect(rec.status).toBe('ready');
    const dl = await get(viewer, `/api/exports/${rec.id}/download`);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toContain('text/csv');
    const rows = parse(dl.rawPayload, { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(3);
    expect(new Set(rows.map((x) => x.partner_id))).toEqual(new Set([ALPHA.id]));
    expect(Object.keys(rows[0]!)).not.toContain('monthly_spend_usd');
    expect(dl.body).not.toContain('1300');
    const audited = await h.database.db.select().from(auditLog).where(eq(auditLog.action, 'export.download'));
    expect(audited.some((a) => a.target === rec.id && a.actor === USERS.viewer)).toBe(true);
  });

  it("a partner viewer cannot export, list, see or download another partner's or the distributor's exports", async () => {
    expect((await post(viewer, '/api/exports', { format: 'json', scope: { partnerId: BETA.id } })).statusCode).toBe(
      404,
    );
    const all = await post(admin, '/api/exports', { format: 'json' });
    const alphaStaff = await post(admin, '/api/exports', { format: 'csv', scope: { partnerId: ALPHA.id } });
    expect(all.statusCode).toBe(202);
    const full = await ready(admin, all.json().id);
    await ready(admin, alphaStaff.json().id);
    const doc = JSON.parse((await get(admin, `/api/exports/${full.id}/download`)).body);
    expect(doc.partners.map((p: { partnerId: string }) => p.partnerId).sort()).toEqual([ALPHA.id, BETA.id]);
    // The figure the viewer's export (first test) must not contain.
    expect(doc.partners.find((p: { partnerId: string }) => p.partnerId === ALPHA.id).snapshot.monthlySpendUsd).toBe(
      1300,
    );

    const listed = json(await get(viewer, '/api/exports'))!.exports as {
      id: string;
      partnerId: string;
      audience: string;
    }[];
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((e) => e.partnerId === ALPHA.id && e.audience === 'partner')).toBe(true);
    // The staff export about alpha carries spend: not for the viewer, even though it is about their partner.
    for (const id of [full.id, alphaStaff.json().id]) {
      expect((await get(viewer, `/api/exports/${id}`)).statusCode).toBe(404);
      expect((await get(viewer, `/api/exports/${id}/download`)).statusCode).toBe(404);
    }
    const staffList = json(await get(analyst, '/api/exports'))!.exports as { id: string }[];
    expect(staffList.map((e) => e.id)).toContain(full.id);
  });

  it('schedules: admins manage, analysts read, viewers are refused; the webhook secret is shown once', async () => {
    const body = {
      name: 'weekly audit',
      cron: '0 6 * * 1',
      timezone: 'Europe/Berlin',
      format: 'xlsx',
      delivery: { webhook: { url: 'https://audit.example/hook' } },
    };
    expect((await post(analyst, '/api/export-schedules', body)).statusCode).toBe(403);
    expect((await get(viewer, '/api/export-schedules')).statusCode).toBe(403);
    const created = await post(admin, '/api/export-schedules', body);
    expect(created.statusCode).toBe(201);
    const { schedule, webhookSecret } = created.json();
    expect(webhookSecret).toMatch(/^whsec_/);
    expect(schedule).toMatchObject({
      cron: '0 6 * * 1',
      timezone: 'Europe/Berlin',
      hasWebhookSecret: true,
      enabled: true,
    });
    expect(new Date(schedule.nextRunAt).getUTCDay()).toBe(1);
    const read = await get(analyst, `/api/export-schedules/${schedule.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.body).not.toContain(webhookSecret);
    expect((await get(analyst, '/api/export-schedules')).body).not.toContain(webhookSecret);
    // The scheduler exists in BullMQ right away.
    const { exportQueue, schedulerIdOf } = await import('@payerguard/core/exports/scheduler');
    const q = exportQueue({ connection: h.redis, prefix: h.prefix });
    expect((await q.getJobSchedulers(0, -1)).some((j) => (j.id ?? j.key) === schedulerIdOf(schedule.id))).toBe(true);

    const bad = await post(admin, '/api/export-schedules', { ...body, cron: '61 * * * *' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/cron/);
    expect((await post(admin, '/api/export-schedules', { ...body, timezone: 'Mars/Olympus' })).json().message).toMatch(
      /timezone/,
    );
    expect(
      (await post(admin, '/api/export-schedules', { ...body, delivery: { webhook: { url: 'ftp://x.example/' } } }))
        .statusCode,
    ).toBe(400);

    const del = await h.app.inject({
      method: 'DELETE',
      url: `/api/export-schedules/${schedule.id}`,
      headers: asSession(admin),
    });
    expect(del.statusCode).toBe(204);
    expect((await q.getJobSchedulers(0, -1)).some((j) => (j.id ?? j.key) === schedulerIdOf(schedule.id))).toBe(false);
    expect((await get(analyst, `/api/export-schedules/${schedule.id}`)).statusCode).toBe(404);
    await q.close();
  });

  it('the routes are in the OpenAPI document', async () => {
    const doc = json(await h.app.inject({ method: 'GET', url: '/api/openapi.json' }));
    for (const p of [
      '/api/exports',
      '/api/exports/{id}',
      '/api/exports/{id}/download',
      '/api/export-schedules',
      '/api/export-schedules/{id}',
    ])
      expect(Object.keys(doc.paths)).toContain(p);
  });

  it('bad export requests get a clear 400', async () => {
    expect((await post(admin, '/api/exports', { format: 'docx' })).statusCode).toBe(400);
    const g = await post(admin, '/api/exports', { format: 'csv', scope: { grades: ['Q'] } });
    expect(g.statusCode).toBe(400);
    expect(g.json().message).toMatch(/grades/);
  });
});
