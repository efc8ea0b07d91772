import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, loadConfig } from '@payerguard/core';
import { exportSchedules, exportsTable } from '@payerguard/core/db/schema';
import { exportQueue, SCHEDULER_PREFIX, schedulerIdOf } from '@payerguard/core/exports/scheduler';
import { createSchedule, updateSchedule } from '@payerguard/core/exports/schedules';
import { verifySignature } from '@payerguard/core/exports/signature';
import { getExport, listExports, readExportContent } from '@payerguard/core/exports/store';
import { testDatabase, testQueuePrefix } from '@payerguard/core/testing/db';
import { seedExportFixture } from '@payerguard/core/testing/export-seed';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ClientFor } from './deliver.js';
import { type ExportWorkers, startExportWorkers } from './index.js';

type Db = Awaited<ReturnType<typeof testDatabase>>;

// Every delivery here goes to a receiver on loopback, which the delivery rule refuses by default.
process.env.DELIVERY_ALLOW_PRIVATE_NETWORKS = 'true';

const body = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
  });

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A tiny HTTP receiver: webhook endpoint and S3 PutObject (path style) stand-in. `failFirst` answers 500 first. */
async function receiver(failFirst: Record<string, number>) {
  const got: Received[] = [];
  const seen: Record<string, number> = {};
  const server: Server = createServer(async (req, res) => {
    const b = await body(req);
    const key = (req.url ?? '').split('?')[0]!.split('/')[1] ?? '';
    seen[key] = (seen[key] ?? 0) + 1;
    if (seen[key]! <= (failFirst[key] ?? 0)) {
      res
        .writeHead(500, { 'content-type': 'application/xml' })
        .end('<Error><Code>InternalError</Code><Message>try again</Message></Error>');
      return;
    }
    got.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: b });
    res.writeHead(200, { etag: '"abc"', 'x-amz-request-id': 'req-1' }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { got, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function until<T>(f: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('export workers', () => {
  let database: Db;
  let workers: ExportWorkers | undefined;
  let rx: Awaited<ReturnType<typeof receiver>>;
  const prefix = testQueuePrefix();
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true' });
  const logger = createLogger('silent');
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const queue = exportQueue({ connection: redis, prefix });
  let webhookSecret = '';
  let flakySecret = '';
  let deadSecret = '';
  let ids: { daily: string; webhook: string; s3: string; flaky: string; dead: string; disabled: string };

  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'AKIATESTEXPORTS00001';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test-secret-not-real';
    database = await testDatabase();
    await seedExportFixture(database.db, { partners: 6, snapshots: 2 });
    rx = await receiver({ flaky: 2, dead: 99 });
    const db = database.db;
    const mk = async (name: string, delivery: unknown, cron = '0 3 * * *') =>
      createSchedule(db, { name, cron, timezone: 'Europe/Paris', format: 'csv', delivery }, 'admin@test');
    // Daily at 03:00 Paris, last run three days ago: three slots missed while "no worker ran".
    const daily = await mk('daily', {});
    const web = await mk('webhook', { webhook: { url: `${rx.url}/hook?token=t` } });
    const s3 = await mk('s3', { s3: { bucket: 'audit-bucket', prefix: 'pg/exports/' } });
    const flaky = await mk('flaky', { webhook: { url: `${rx.url}/flaky` } });
    const dead = await mk('dead', { webhook: { url: `${rx.url}/dead` } });
    const disabled = await createSchedule(
      db,
      { name: 'off', cron: '* * * * *', format: 'json', enabled: false },
      'admin@test',
    );
    webhookSecret = web.webhookSecret!;
    flakySecret = flaky.webhookSecret!;
    deadSecret = dead.webhookSecret!;
    ids = {
      daily: daily.schedule.id,
      webhook: web.schedule.id,
      s3: s3.schedule.id,
      flaky: flaky.schedule.id,
      dead: dead.schedule.id,
      disabled: disabled.schedule.id,
    };
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000);
    await db
      .update(exportSchedules)
      .set({ lastRunAt: threeDaysAgo, createdAt: new Date(Date.now() - 10 * 86_400_000) });
    // A scheduler left behind by a schedule deleted while workers were down.
    await queue.upsertJobScheduler(
      schedulerIdOf('sch_gone'),
      { pattern: '0 4 * * *' },
      { name: 'schedule', data: { kind: 'schedule', scheduleId: 'sch_gone' } },
    );
    workers = await startExportWorkers({
      db,
      config,
      logger,
      prefix,
      deliveryRetry: { attempts: 3, backoffMs: 100 },
      s3: s3ClientFor('us-east-1', rx.url),
    });
  });

  afterAll(async () => {
    await workers?.close();
    await queue.obliterate({ force: true }).catch(() => {});
    const { deliveryQueue } = await import('@payerguard/core/exports/scheduler');
    const dq = deliveryQueue({ connection: redis, prefix });
    await dq.obliterate({ force: true }).catch(() => {});
    await dq.close();
    await queue.close();
    redis.disconnect();
    await rx?.close();
    await database?.close();
  });

  it('a schedule missed for days runs once on start, not once per missed slot', async () => {
    const db = database.db;
    await until(async () => (await listExports(db, { scheduleId: ids.daily }))[0]?.status === 'ready');
    // Give any burst time to show itself, and sync again: still one.
    await workers!.sync();
    await new Promise((r) => setTimeout(r, 1500));
    const list = await listExports(db, { scheduleId: ids.daily });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ format: 'csv', requestedBy: `schedule:${ids.daily}`, status: 'ready' });
    expect(list[0]!.sizeBytes).toBeGreaterThan(100);
    expect(await listExports(db, { scheduleId: ids.disabled })).toHaveLength(0);
  });

  it('schedulers mirror the table: idempotent sync, stale ones removed, disabled ones absent', async () => {
    const second = await workers!.sync();
    expect(second.removed).toBe(0);
    const schedulers = (await queue.getJobSchedulers(0, -1))
      .map((j) => j.id ?? j.key)
      .filter((k) => k.startsWith(SCHEDULER_PREFIX));
    expect(schedulers.sort()).toEqual([ids.daily, ids.webhook, ids.s3, ids.flaky, ids.dead].map(schedulerIdOf).sort());
    const daily = (await queue.getJobSchedulers(0, -1)).find((j) => (j.id ?? j.key) === schedulerIdOf(ids.daily))!;
    expect(daily).toMatchObject({ pattern: '0 3 * * *', tz: 'Europe/Paris' });
    // Disabling a schedule removes its scheduler on the next sync.
    await updateSchedule(database.db, ids.daily, {
      name: 'daily',
      cron: '0 3 * * *',
      timezone: 'Europe/Paris',
      format: 'csv',
      enabled: false,
    });
    const third = await workers!.sync();
    expect(third.removed).toBe(1);
    expect((await queue.getJobSchedulers(0, -1)).some((j) => (j.id ?? j.key) === schedulerIdOf(ids.daily))).toBe(false);
  });

  it('webhook: the file is POSTed with a signature the receiver verifies', async () => {
    const db = database.db;
    const rec = await until(async () => {
      const e = (await listExports(db, { scheduleId: ids.webhook }))[0];
      return e?.deliveries[0]?.status === 'delivered' ? e : undefined;
    });
    const hit = rx.got.find((g) => g.url.startsWith('/hook'))!;
    expect(hit.method).toBe('POST');
    const sig = hit.headers['x-payerguard-signature'] as string;
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(hit.body, webhookSecret, sig)).toBe(true);
    expect(verifySignature(hit.body, 'whsec_wrong', sig)).toBe(false);
    expect(verifySignature(Buffer.concat([hit.body, Buffer.from('x')]), webhookSecret, sig)).toBe(false);
    const stored: Buffer[] = [];
    for await (const c of readExportContent(db, rec.id, rec.sizeBytes!)) stored.push(c as Buffer);
    expect(hit.body.equals(Buffer.concat(stored))).toBe(true);
    expect(hit.body.toString().split('\n')[0]).toContain('partner_id,partner_name');
    // The destination recorded on the export leaves out the query string (it may carry a token).
    expect(rec.deliveries[0]).toMatchObject({ target: 'webhook', attempts: 1, destination: `${rx.url}/hook` });
  });

  it('S3: PutObject of the file at bucket/prefix/file name', async () => {
    const db = database.db;
    const rec = await until(async () => {
      const e = (await listExports(db, { scheduleId: ids.s3 }))[0];
      return e?.deliveries[0]?.status === 'delivered' ? e : undefined;
    });
    const put = rx.got.find((g) => g.url.startsWith('/audit-bucket/'))!;
    expect(put.method).toBe('PUT');
    expect(decodeURIComponent(put.url.split('?')[0]!)).toBe(`/audit-bucket/pg/exports/${rec.fileName}`);
    expect(put.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(put.body.length).toBe(rec.sizeBytes);
    expect(rec.deliveries[0]!.destination).toBe(`s3://audit-bucket/pg/exports/${rec.fileName}`);
  });

  it('a failing delivery is retried with backoff and its attempts are shown on the export', async () => {
    const db = database.db;
    const rec = await until(async () => {
      const e = (await listExports(db, { scheduleId: ids.flaky }))[0];
      return e?.deliveries[0]?.status === 'delivered' ? e : undefined;
    });
    expect(rec.deliveries[0]).toMatchObject({ status: 'delivered', attempts: 3, lastError: null });
    const hit = rx.got.find((g) => g.url === '/flaky')!;
    expect(verifySignature(hit.body, flakySecret, hit.headers['x-payerguard-signature'] as string)).toBe(true);
  });

  it('a delivery that never succeeds ends failed with its error; the export itself stays ready', async () => {
    const db = database.db;
    const rec = await until(async () => {
      const e = (await listExports(db, { scheduleId: ids.dead }))[0];
      return e?.deliveries[0]?.status === 'failed' ? e : undefined;
    });
    expect(rec.status).toBe('ready');
    expect(rec.deliveries[0]).toMatchObject({ target: 'webhook', status: 'failed', attempts: 3 });
    expect(rec.deliveries[0]!.lastError).toContain('HTTP 500');
    expect(deadSecret).not.toBe('');
    expect(JSON.stringify(rec)).not.toContain(deadSecret);
  });

  it('retention: expired exports are purged by the purge job', async () => {
    const db = database.db;
    const before = (await listExports(db, { scheduleId: ids.webhook }))[0]!;
    await db
      .update(exportsTable)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(exportsTable.id, before.id));
    await queue.add('purge', { kind: 'purge' });
    await until(async () => !(await getExport(db, before.id)));
    expect(await getExport(db, before.id)).toBeUndefined();
    expect((await listExports(db, { scheduleId: ids.s3 })).length).toBe(1);
  });
});
