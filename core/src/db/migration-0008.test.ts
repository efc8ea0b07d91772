import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installRoot } from '../install-root.js';
import { compliantEvidence, FIXTURE_NOW } from '../testing/evidence.js';
import type { Db } from './index.js';
import * as schema from './schema.js';

/**
 * Migration 0008 on a database that already holds history written by the schema before it: the findings and
 * evidence read back the same through the new views, and the latest state and trend rows are filled.
 */
const folder = join(installRoot(import.meta.url), 'core', 'drizzle');

describe('migration 0008_latest_state on existing data', () => {
  let client: PGlite;
  let db: Db;
  let before: string;
  const rowsOf = async <T>(q: ReturnType<typeof sql>) => ((await db.execute(q)) as unknown as { rows: T[] }).rows;

  beforeAll(async () => {
    // The migrations up to (not including) 0008, as a database from before it was migrated.
    before = mkdtempSync(join(tmpdir(), 'pg-mig-'));
    cpSync(folder, before, { recursive: true });
    const journalPath = join(before, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number }[] };
    journal.entries = journal.entries.filter((e) => e.idx < 8);
    writeFileSync(journalPath, JSON.stringify(journal));
    client = await PGlite.create();
    db = drizzle(client, { schema }) as unknown as Db;
    await migrate(db as never, { migrationsFolder: before });

    await db.execute(sql`insert into partners (id, name) values ('a', 'A'), ('b', 'B')`);
    for (const [i, run] of ['r1', 'r2', 'r3'].entries()) {
      const at = new Date(FIXTURE_NOW.getTime() + i * 86_400_000).toISOString();
      await db.execute(
        sql`insert into runs (id, status, trigger, created_at) values (${run}, 'completed', 'manual', ${at})`,
      );
      for (const [p, payer] of [
        ['a', '400000000001'],
        ['b', '400000000002'],
      ] as const) {
        const ev = compliantEvidence({ partnerId: p, payerAccountId: payer, collectedAt: FIXTURE_NOW });
        await db.execute(sql`insert into evidence (run_id, payer_account_id, partner_id, collected_at, data)
          values (${run}, ${payer}, ${p}, ${at}, ${JSON.stringify(ev)}::jsonb)`);
        for (const c of ['ROOT-MFA', 'OWN-ROOT-EMAIL', 'BOUNDARY-COVERAGE'])
          await db.execute(sql`insert into findings (run_id, partner_id, payer_account_id, control_id, resource, status, severity, title, message, evidence)
            values (${run}, ${p}, ${payer}, ${c}, '', ${p === 'b' && i === 2 && c === 'ROOT-MFA' ? 'fail' : 'pass'}, 'high', ${c}, ${`${c} ${run}`}, '{"x":1}'::jsonb)`);
        const score = p === 'b' && i === 2 ? 60 : 90 + i;
        await db.execute(sql`insert into snapshots (id, partner_id, run_id, taken_at, score, grade, counts, critical_failures, locked_out, monthly_spend, changes, previous_snapshot_id)
          values (${`s-${run}-${p}`}, ${p}, ${run}, ${at}, ${score}, ${score >= 90 ? 'A' : 'D'}, '{}'::jsonb,
                  ${p === 'b' && i === 2 ? '["ROOT-MFA"]' : '[]'}::jsonb, false, 100, '{}'::jsonb, ${i ? `s-r${i}-${p}` : null})`);
      }
    }
  });
  afterAll(async () => {
    await client?.close();
    if (before) rmSync(before, { recursive: true, force: true });
  });

  it('keeps every finding and evidence row readable and fills the latest state and the trend', async () => {
    const findingsBefore = await rowsOf(
      sql`select run_id, partner_id, payer_account_id, control_id, status, message from findings order by id`,
    );
    const evidenceBefore = await rowsOf(sql`select run_id, payer_account_id, data from evidence order by 1, 2`);
    expect(findingsBefore).toHaveLength(18);

    await migrate(db as never, { migrationsFolder: folder });

    expect(
      await rowsOf(
        sql`select run_id, partner_id, payer_account_id, control_id, status, message from findings order by id`,
      ),
    ).toEqual(findingsBefore);
    expect(await rowsOf(sql`select run_id, payer_account_id, data from evidence order by 1, 2`)).toEqual(
      evidenceBefore,
    );
    // Six evidence rows of two distinct documents: each stored once.
    expect(await rowsOf(sql`select count(*)::int as n from evidence_docs`)).toEqual([{ n: 2 }]);
    expect(
      await rowsOf(
        sql`select partner_id, snapshot_id, run_id, score, critical_count, previous_score from partner_latest order by 1`,
      ),
    ).toEqual([
      { partner_id: 'a', snapshot_id: 's-r3-a', run_id: 'r3', score: 92, critical_count: 0, previous_score: 91 },
      { partner_id: 'b', snapshot_id: 's-r3-b', run_id: 'r3', score: 60, critical_count: 1, previous_score: 91 },
    ]);
    expect(
      await rowsOf(sql`select run_id, partners, average_score, spend_at_risk from run_scores order by scored_at`),
    ).toEqual([
      { run_id: 'r1', partners: 2, average_score: 90, spend_at_risk: 0 },
      { run_id: 'r2', partners: 2, average_score: 91, spend_at_risk: 0 },
      { run_id: 'r3', partners: 2, average_score: 76, spend_at_risk: 100 },
    ]);
  });
});
