import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/index.js';
import { testDatabase } from '../testing/db.js';
import { seedExportFixture } from '../testing/export-seed.js';
import { writeExport } from './index.js';
import {
  claimSlot,
  createSchedule,
  fireTimes,
  getSchedule,
  listSchedules,
  parseCron,
  parseDelivery,
  updateSchedule,
} from './schedules.js';
import { signBody, verifySignature } from './signature.js';
import {
  createExport,
  getExport,
  listExports,
  produceExport,
  purgeExpiredExports,
  readExportContent,
  recordDelivery,
} from './store.js';
import { ExportInputError } from './types.js';

const collect = async (r: NodeJS.ReadableStream) => {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
};

describe('schedule rules (pure)', () => {
  it('cron is five fields in a real time zone', () => {
    expect(() => parseCron('0 6 * * 1', 'Europe/Berlin')).not.toThrow();
    expect(() => parseCron('*/5 * * * * *', 'UTC')).toThrow(ExportInputError);
    expect(() => parseCron('61 * * * *', 'UTC')).toThrow(/cron/);
    expect(() => parseCron('0 6 * * 1', 'Mars/Olympus')).toThrow(/timezone/);
  });

  it('fire times follow the zone across daylight saving', () => {
    // 06:00 Berlin is 04:00 UTC in summer (CEST) and 05:00 UTC in winter (CET).
    const summer = fireTimes('0 6 * * *', 'Europe/Berlin', new Date('2026-07-01T12:00:00Z'));
    expect(summer.previous.toISOString()).toBe('2026-07-01T04:00:00.000Z');
    expect(summer.next.toISOString()).toBe('2026-07-02T04:00:00.000Z');
    const winter = fireTimes('0 6 * * *', 'Europe/Berlin', new Date('2026-12-01T12:00:00Z'));
    expect(winter.previous.toISOString()).toBe('2026-12-01T05:00:00.000Z');
    // Exactly on a slot: that slot is the previous one.
    expect(fireTimes('0 * * * *', 'UTC', new Date('2026-12-01T05:00:00Z')).previous.toISOString()).toBe(
      '2026-12-01T05:00:00.000Z',
    );
  });

  it('delivery targets are validated', () => {
    expect(
      parseDelivery({ s3: { bucket: 'audit-files', prefix: 'pg/' }, webhook: { url: 'https://h.example/x' } }),
    ).toEqual({
      s3: { bucket: 'audit-files', prefix: 'pg/' },
      webhook: { url: 'https://h.example/x' },
    });
    expect(() => parseDelivery({ s3: { bucket: 'Bad_Bucket' } })).toThrow(/bucket/);
    expect(() => parseDelivery({ webhook: { url: 'file:///etc/passwd' } })).toThrow(/url/);
    expect(() => parseDelivery({ email: {} })).toThrow(/unknown/);
  });

  it('signatures verify only for the same body and secret', () => {
    const sig = signBody('{"a":1}', 's3cret');
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature('{"a":1}', 's3cret', sig)).toBe(true);
    expect(verifySignature('{"a":2}', 's3cret', sig)).toBe(false);
    expect(verifySignature('{"a":1}', 'other', sig)).toBe(false);
    expect(verifySignature('{"a":1}', 's3cret', undefined)).toBe(false);
  });
});

describe('schedules and stored exports', () => {
  let database: Database;
  beforeAll(async () => {
    database = await testDatabase();
    await seedExportFixture(database.db, { partners: 40, snapshots: 1 });
  });
  afterAll(async () => database?.close());

  it('creates, lists and updates schedules; the secret is only returned when issued', async () => {
    const db = database.db;
    const { schedule, webhookSecret } = await createSchedule(
      db,
      {
        name: 'weekly',
        cron: '0 6 * * 1',
        timezone: 'Europe/Berlin',
        format: 'pdf',
        scope: { grades: ['F'] },
        delivery: { webhook: { url: 'https://h.example/x' } },
      },
      'admin@test',
    );
    expect(webhookSecret).toMatch(/^whsec_/);
    expect(JSON.stringify(await listSchedules(db))).not.toContain(webhookSecret!);
    const same = await updateSchedule(db, schedule.id, {
      name: 'weekly',
      cron: '0 7 * * 1',
      timezone: 'Europe/Berlin',
      format: 'pdf',
      delivery: { webhook: { url: 'https://h.example/x' } },
    });
    expect(same?.webhookSecret).toBeUndefined();
    expect(same?.schedule.cron).toBe('0 7 * * 1');
    const rotated = await updateSchedule(
      db,
      schedule.id,
      { name: 'weekly', cron: '0 7 * * 1', format: 'pdf', delivery: { webhook: { url: 'https://h.example/x' } } },
      { rotateSecret: true },
    );
    expect(rotated?.webhookSecret).toMatch(/^whsec_/);
    expect(rotated?.webhookSecret).not.toBe(webhookSecret);
    await expect(createSchedule(db, { name: 'x', cron: 'nope', format: 'csv' }, 'a')).rejects.toBeInstanceOf(
      ExportInputError,
    );
    expect(await updateSchedule(db, 'sch_missing', { name: 'x', cron: '0 * * * *', format: 'csv' })).toBeUndefined();
  });

  it('a slot is claimed once, however many jobs ask', async () => {
    const db = database.db;
    const { schedule } = await createSchedule(db, { name: 'hourly', cron: '0 * * * *', format: 'csv' }, 'admin@test');
    const slot = new Date('2026-11-24T10:00:00Z');
    const now = new Date('2026-11-24T10:00:01Z');
    const claims = await Promise.all([1, 2, 3, 4].map(() => claimSlot(db, schedule.id, slot, now)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await claimSlot(db, schedule.id, new Date('2026-11-24T11:00:00Z'), new Date('2026-11-24T11:00:00Z'))).toBe(
      true,
    );
    expect((await getSchedule(db, schedule.id))?.lastRunAt).toBe('2026-11-24T11:00:00.000Z');
  });

  it('stores an export in slices and reads back the same bytes as writeExport produces', async () => {
    const db = database.db;
    const rec = await createExport(db, {
      format: 'json',
      scope: {},
      requestedBy: 'admin@test',
      deliveries: ['webhook'],
    });
    expect(rec).toMatchObject({
      status: 'pending',
      deliveries: [{ target: 'webhook', status: 'pending', attempts: 0 }],
    });
    const done = await produceExport(db, rec.id, { sliceBytes: 1000 });
    expect(done.status).toBe('ready');
    expect(done.rows).toBe(200);
    const stored = await collect(readExportContent(db, rec.id, done.sizeBytes!, 777));
    expect(stored.length).toBe(done.sizeBytes);
    expect(createHash('sha256').update(stored).digest('hex')).toBe(done.sha256);
    const doc = JSON.parse(stored.toString());
    expect(doc.partners).toHaveLength(40);
    // The same request written directly differs only in generatedAt.
    const direct: Buffer[] = [];
    await writeExport(
      db,
      { format: 'json', scope: {} },
      new Writable({
        write: (c, _e, cb) => {
          direct.push(c);
          cb();
        },
      }),
    );
    expect(JSON.parse(Buffer.concat(direct).toString()).partners).toEqual(doc.partners);
    // Producing again is a no-op for a ready export.
    expect((await produceExport(db, rec.id)).sha256).toBe(done.sha256);
  });

  it('records delivery states per target without losing the other target', async () => {
    const db = database.db;
    const rec = await createExport(db, { format: 'csv', requestedBy: 'admin@test', deliveries: ['s3', 'webhook'] });
    await Promise.all([
      recordDelivery(db, rec.id, {
        target: 's3',
        status: 'delivered',
        attempts: 1,
        lastError: null,
        deliveredAt: '2026-11-24T10:00:00Z',
      }),
      recordDelivery(db, rec.id, {
        target: 'webhook',
        status: 'retrying',
        attempts: 2,
        lastError: 'HTTP 503',
        deliveredAt: null,
      }),
    ]);
    const got = await getExport(db, rec.id);
    expect(got?.deliveries.map((d) => `${d.target}:${d.status}:${d.attempts}`).sort()).toEqual([
      's3:delivered:1',
      'webhook:retrying:2',
    ]);
  });

  it('a failed production is recorded on the export, and expired exports are purged', async () => {
    const db = database.db;
    const rec = await createExport(db, { format: 'csv', requestedBy: 'x', retentionDays: 1 });
    // Simulate a scope that became invalid in storage (e.g. hand-edited): the export fails visibly, it does not vanish.
    await db.execute(
      (await import('drizzle-orm')).sql`update exports set scope = '{"grades":["Z"]}'::jsonb where id = ${rec.id}`,
    );
    const failed = await produceExport(db, rec.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/grades/);
    const before = (await listExports(db, { limit: 500 })).length;
    expect(await purgeExpiredExports(db, new Date(Date.now() + 2 * 86_400_000))).toBeGreaterThanOrEqual(1);
    expect(await getExport(db, rec.id)).toBeUndefined();
    expect((await listExports(db, { limit: 500 })).length).toBeLessThan(before);
    await expect(createExport(db, { format: 'csv', requestedBy: 'x', asOf: 'yesterday' })).rejects.toThrow(/asOf/);
  });
});
