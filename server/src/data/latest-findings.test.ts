import type { Database } from '@payerguard/core';
import { testDatabase } from '@payerguard/core/testing/db';
import { seedExportFixture } from '@payerguard/core/testing/export-seed';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FindingFilter, type FindingKey, latestFindingsPage, readFindingIndex } from './latest-findings.js';
import { rows } from './rows.js';

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
  await seedExportFixture(database.db, { partners: 40, snapshots: 2 });
}, 60_000);
afterAll(() => database?.close());

/** The ordering the findings list has always had, in one query over the latest_findings view: the reference. */
async function reference(f: FindingFilter): Promise<number[]> {
  const conds = [sql`true`];
  if (f.partnerId) conds.push(sql`f.partner_id = ${f.partnerId}`);
  if (f.controlId) conds.push(sql`f.control_id = ${f.controlId}`);
  if (f.statuses) conds.push(sql`f.status = any(${sql.param(f.statuses)}::text[])`);
  if (f.severities) conds.push(sql`f.severity = any(${sql.param(f.severities)}::text[])`);
  const r = await rows<{ id: string }>(
    database.db,
    sql`select f.id from latest_findings f where ${sql.join(conds, sql` and `)}
        order by (case f.severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end),
                 f.partner_id, f.control_id, f.resource, f.id`,
  );
  return r.map((x) => Number(x.id));
}

const keyOf = (r: Record<string, unknown>): FindingKey => [
  Number(r.sev_rank),
  String(r.partner_id),
  String(r.control_id),
  String(r.resource),
  Number(r.id),
];

const FILTERS: FindingFilter[] = [
  {},
  { statuses: ['fail'] },
  { severities: ['high', 'medium'] },
  { controlId: 'ROOT-MFA', statuses: ['fail', 'warn'] },
  { partnerId: 'p00007' },
  { controlId: 'NO-SUCH-CONTROL' },
];

describe('current findings read through their index', () => {
  it.each(FILTERS.map((f) => [JSON.stringify(f), f] as const))(
    'walks %s by cursor and by offset in the reference order, none twice, none missing',
    async (_, f) => {
      const want = await reference(f);
      const index = await readFindingIndex(database.db, f);
      expect(index.total).toBe(want.length);
      const byCursor: number[] = [];
      let after: FindingKey | null = null;
      for (let i = 0; i < 1000; i++) {
        const page = await latestFindingsPage(database.db, f, index, { after, limit: 7, offset: 0 });
        const more = page.length > 7;
        const shown = page.slice(0, 7);
        byCursor.push(...shown.map((r) => Number(r.id)));
        if (!more) break;
        after = keyOf(shown[shown.length - 1]!);
      }
      expect(byCursor).toEqual(want);
      const byOffset = await latestFindingsPage(database.db, f, index, { after: null, limit: 11, offset: 5 });
      expect(byOffset.slice(0, 11).map((r) => Number(r.id))).toEqual(want.slice(5, 16));
    },
  );
});
