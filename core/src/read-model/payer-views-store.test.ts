import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/index.js';
import { runs, snapshots } from '../db/schema.js';
import { defaultSettings } from '../settings.js';
import { testDatabase } from '../testing/db.js';
import { compliantEvidence } from '../testing/evidence.js';
import { buildPayerView, payerViewBuilder } from './build-payer-view.js';
import { PAYER_VIEW_SCHEMA_VERSION, partnerBoundaryCoverage, payerSummaryFor, SPEND_CALL } from './payer-view.js';
import { payerViewsFor, prunePayerViews, storePayerView } from './payer-views-store.js';

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(async () => database?.close());

const at = (d: number) => new Date(Date.UTC(2026, 10, d, 12));
const view = (partnerId: string, payerAccountId: string) =>
  buildPayerView(compliantEvidence({ partnerId, payerAccountId, collectedAt: at(1) }), defaultSettings());

async function stored(): Promise<string[]> {
  const r = (await database.db.execute(
    sql`select partner_id || ':' || run_id as k from payer_views order by 1`,
  )) as unknown as { rows: { k: string }[] };
  return r.rows.map((x) => x.k);
}

describe('payer views', () => {
  it('keeps only the views latest snapshots refer to, and those of newer runs not yet scored', async () => {
    const { db } = database;
    await db.insert(runs).values(
      [1, 2, 3].map((d) => ({
        id: `r${d}`,
        status: d < 3 ? 'completed' : 'running',
        trigger: 'manual',
        createdAt: at(d),
      })),
    );
    const snap = (partnerId: string, runId: string, d: number) => ({
      id: `s-${partnerId}-${runId}`,
      partnerId,
      runId,
      takenAt: at(d),
      score: 100,
      grade: 'A',
      counts: {},
      criticalFailures: [],
      lockedOut: false,
      changes: {},
    });
    await db.insert(snapshots).values([snap('p', 'r1', 1), snap('p', 'r2', 2), snap('q', 'r1', 1)]);
    for (const runId of ['r1', 'r2', 'r3']) await storePayerView(db, runId, view('p', '111111111111'), 'fp');
    await storePayerView(db, 'r1', view('q', '222222222222'), 'fp');

    expect(await prunePayerViews(db, ['p', 'q'])).toBe(1);
    expect(await stored()).toEqual(['p:r2', 'p:r3', 'q:r1']);
    expect((await payerViewsFor(db, 'r2', 'p')).map((v) => v.payerAccountId)).toEqual(['111111111111']);
    expect(await payerViewsFor(db, 'r1', 'p')).toEqual([]);
  });

  it('scoreRun builds only views that are missing, stale or of another schema version', async () => {
    const { db } = database;
    const ev = compliantEvidence({ partnerId: 'p', payerAccountId: '111111111111', collectedAt: at(2) });
    const fresh = await payerViewBuilder(db, 'r2', defaultSettings(), 'fp');
    await fresh.add(ev);
    expect(fresh.built).toBe(0);
    const stale = await payerViewBuilder(db, 'r2', defaultSettings(), 'other-settings');
    await stale.add(ev);
    expect(stale.built).toBe(1);
    await db.execute(sql`update payer_views set schema_version = ${PAYER_VIEW_SCHEMA_VERSION + 1} where run_id = 'r3'`);
    expect(await payerViewsFor(db, 'r3', 'p')).toEqual([]);
    const old = await payerViewBuilder(db, 'r3', defaultSettings(), 'fp');
    await old.add(ev);
    expect(old.built).toBe(1);
    expect(await payerViewsFor(db, 'r3', 'p')).toHaveLength(1);
  });

  it('hides the spend call from readers without spend, and sums boundary coverage over payers', () => {
    const v = view('p', '111111111111');
    expect(payerSummaryFor(v, true).calls[SPEND_CALL]).toBeDefined();
    expect(payerSummaryFor(v, false).calls[SPEND_CALL]).toBeUndefined();
    const c = partnerBoundaryCoverage([v, v]);
    expect(c.partnerPrincipals).toBe(2 * v.boundaryCoverage.partnerPrincipals);
    expect(c.uncovered).toBe(c.partnerPrincipals - c.covered);
  });
});
