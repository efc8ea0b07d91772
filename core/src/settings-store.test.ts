import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './db/index.js';
import { settings as settingsTable } from './db/schema.js';
import { defaultSettings } from './settings.js';
import { loadSettings, saveSettings, validateSettings } from './settings-store.js';
import { testDatabase } from './testing/db.js';

describe('validateSettings', () => {
  it('accepts the defaults unchanged', () => {
    expect(validateSettings(defaultSettings())).toEqual({ ok: true, settings: defaultSettings() });
  });
  it('normalises domains (case, leading @, spaces)', () => {
    const v = validateSettings({ ...defaultSettings(), domains: [' @Distributor.Example ', 'eu.distributor.example'] });
    expect(v.ok && v.settings.domains).toEqual(['distributor.example', 'eu.distributor.example']);
  });
  it('returns a clear error per bad field', () => {
    const bad = {
      ...defaultSettings(),
      domains: ['not a domain'],
      hubAccountId: '123',
      rootLookbackDays: 400,
      accessMaxAgeHours: 'soon',
      boundary: { policyName: 'B', policyPath: 'no-slash', approvedDocument: 'x' },
      approvedRootWindows: [{ start: '2026-01-02T00:00:00Z', end: '2026-01-01T00:00:00Z', reason: '' }],
    };
    const v = validateSettings(bad);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.errors.map((e) => e.path)).toEqual([
      'domains.0',
      'boundary.approvedDocument',
      'approvedRootWindows.0.reason',
      'approvedRootWindows.0.end',
      'hubAccountId',
      'boundary.policyPath',
      'rootLookbackDays',
      'accessMaxAgeHours',
      // The default hub principal names the (default) hub account, which no longer matches the bad one above.
      'hubPrincipalArn',
    ]);
    expect(v.errors.find((e) => e.path === 'hubAccountId')?.message).toMatch(/12-digit/);
  });
  it('rejects non-objects and missing sections without throwing', () => {
    expect(validateSettings(null)).toEqual({
      ok: false,
      errors: [{ path: '', message: 'expected a settings object' }],
    });
    const v = validateSettings({ distributorName: 'x' });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errors.some((e) => e.path === 'domains')).toBe(true);
  });
});

describe('settings storage', () => {
  let database: Database;
  beforeAll(async () => {
    database = await testDatabase();
  });
  afterAll(async () => database?.close());

  it('loads defaults when nothing is stored, then what was saved', async () => {
    const { db } = database;
    expect(await loadSettings(db)).toEqual(defaultSettings());
    const next = { ...defaultSettings(), domains: ['distrib.example'], accessMaxAgeHours: 24 };
    expect((await saveSettings(db, next, 'admin@demo.local')).ok).toBe(true);
    expect(await loadSettings(db)).toMatchObject({ domains: ['distrib.example'], accessMaxAgeHours: 24 });
    // Saving again updates the one row.
    await saveSettings(db, { ...next, accessMaxAgeHours: 12 }, 'admin@demo.local');
    const rows = await db.select().from(settingsTable);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.updatedBy).toBe('admin@demo.local');
    expect((await loadSettings(db)).accessMaxAgeHours).toBe(12);
  });

  it('stores nothing when invalid', async () => {
    const { db } = database;
    const v = await saveSettings(db, { ...defaultSettings(), hubAccountId: 'x' }, 'admin');
    expect(v.ok).toBe(false);
    expect((await loadSettings(db)).accessMaxAgeHours).toBe(12);
  });

  it('fills fields missing from an older stored row with their defaults', async () => {
    const { db } = database;
    const { approvedRootWindows: _omit, ...old } = defaultSettings();
    await db.update(settingsTable).set({ data: { ...old, rootLookbackDays: 30 } });
    const s = await loadSettings(db);
    expect(s.rootLookbackDays).toBe(30);
    expect(s.approvedRootWindows).toEqual([]);
  });
});
