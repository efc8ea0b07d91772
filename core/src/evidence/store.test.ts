import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Db } from '../db/index.js';
import { runs } from '../db/schema.js';
import { testDatabase } from '../testing/db.js';
import { compliantEvidence, FIXTURE_NOW } from '../testing/evidence.js';
import { purgeEvidence } from './retention.js';
import { splitEvidence, writeEvidence } from './store.js';
import type { PayerEvidence } from './types.js';

/**
 * Request ids kept compactly (migration 0010): every id, UUID or not, and the collection time read back through the
 * `evidence` view exactly as collected, while a run that collected the same account state adds no document and no
 * layout, only its own ids. And retention garbage-collects what the purged rows alone referenced.
 */
const DAY = 86_400_000;
const at = (days: number) => new Date(FIXTURE_NOW.getTime() + days * DAY);

/** The fixture collected again: fresh AWS-style request ids (UUIDs) at every call, `extra` more on the first. */
function collected(base: PayerEvidence, when: Date, extra = 0): PayerEvidence {
  let first = true;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => {
        if (k !== 'requestIds' || !Array.isArray(x)) return [k, walk(x)];
        const n = x.length + (first ? extra : 0);
        first = false;
        return [k, Array.from({ length: n }, () => randomUUID())];
      }),
    );
  };
  return { ...(walk(base) as PayerEvidence), collectedAt: when.toISOString() };
}

const rows = async <T>(db: Db, q: ReturnType<typeof sql>) => ((await db.execute(q)) as unknown as { rows: T[] }).rows;
const count = async (db: Db, table: string) =>
  Number((await rows<{ n: string | number }>(db, sql.raw(`select count(*) as n from ${table}`)))[0]!.n);

describe('evidence store: compact request ids', () => {
  let database: Database;
  let db: Db;
  const base = compliantEvidence({ partnerId: 'p1', payerAccountId: '310000000001', collectedAt: FIXTURE_NOW });

  async function write(runId: string, day: number, evs: PayerEvidence[]) {
    const createdAt = new Date(FIXTURE_NOW.getTime() + day * DAY);
    await db.insert(runs).values({ id: runId, status: 'completed', trigger: 'manual', createdAt });
    await db.transaction(async (tx) =>
      writeEvidence(
        tx as unknown as Db,
        evs.map((e) => ({ runId, payerAccountId: e.payerAccountId, partnerId: e.partnerId, evidence: e })),
      ),
    );
  }
  const read = async (runId: string) =>
    (await rows<{ data: PayerEvidence }>(db, sql`select data from evidence where run_id = ${runId}`))[0]!.data;

  beforeAll(async () => {
    database = await testDatabase();
    db = database.db;
    await db.execute(sql`insert into partners (id, name) values ('p1', 'P1')`);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('splits UUID request ids out in document order, keeps others and an unusual collection time in volatile', () => {
    const ev = collected(base, at(0));
    const split = splitEvidence(ev);
    expect(split.requestIds.length).toBeGreaterThan(10);
    expect(split.layout.reduce((s, [, n]) => s + n, 0)).toBe(split.requestIds.length);
    expect(split.volatile).toEqual({});
    expect(JSON.stringify(split.doc)).not.toContain('requestIds');
    // The fixture's own ids ("req-<api>") are not UUIDs: they stay as they are, in volatile.
    const plain = splitEvidence({ ...base, collectedAt: '2026-01-01T00:00:00Z' });
    expect(plain.requestIds).toEqual([]);
    expect(Object.keys(plain.volatile).length).toBeGreaterThan(10);
    expect(plain.volatile.collectedAt).toBe('2026-01-01T00:00:00Z');
  });

  it('reads every run back exactly as collected: compact ids, mixed ids, and a non-canonical time', async () => {
    const one = collected(base, at(0));
    const two = collected(base, at(1), 3); // a retried call: more ids at one path, the layout differs
    const three = collected(base, at(2));
    const mixed = { ...three, access: { ...three.access, requestIds: ['NOT-A-UUID', randomUUID()] } } as PayerEvidence;
    const fixture = { ...base, collectedAt: '2026-01-03T00:00:00+00:00' };
    await write('c1', 0, [one]);
    await write('c2', 1, [two]);
    await write('c3', 2, [mixed]);
    await write('c4', 3, [fixture]);
    const five = collected(base, new Date(at(2).getTime() + DAY / 2));
    await write('c5', 2.5, [five]);
    expect(await read('c5')).toEqual(five);
    expect(await read('c1')).toEqual(one);
    expect(await read('c2')).toEqual(two);
    expect(await read('c3')).toEqual(mixed);
    expect(await read('c4')).toEqual(fixture);
    // Byte for byte as jsonb: the same canonical text as the evidence itself.
    const text = await rows<{ same: boolean }>(
      db,
      sql`select (data::text = ${JSON.stringify(one)}::jsonb::text) as same from evidence where run_id = 'c1'`,
    );
    expect(text[0]!.same).toBe(true);
    // One document for all five (the account did not change), ids stored as uuid[] on the compact rows; layouts:
    // c1's (shared by c5), c2's (the retry) and c3's (access's ids not UUIDs, so not in it).
    expect(await count(db, 'evidence_docs')).toBe(1);
    expect(await count(db, 'evidence_request_layouts')).toBe(3);
    const stored = await rows<{ run_id: string; n: number | null; volatile: unknown }>(
      db,
      sql`select run_id, cardinality(request_ids) as n, volatile from evidence_runs order by run_id`,
    );
    expect(stored.map((r) => r.run_id)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(stored[0]!.n).toBe(splitEvidence(one).requestIds.length);
    expect(stored[0]!.volatile).toBeNull();
    expect(stored[2]!.volatile).toEqual({ [['access', 'requestIds'].join('\u001f')]: mixed.access.requestIds });
  });

  it('retention removes the purged rows and the layouts, documents and finding contents only they used', async () => {
    // A finding set only c1 used, holding one content no other set holds and one shared with a kept set.
    await db.execute(sql`
      insert into finding_contents (hash, control_id, resource, status, severity, title, message, evidence)
      values ('00000000-0000-0000-0000-00000000000a', 'X', '', 'pass', 'low', 't', 'only c1', '{}'),
             ('00000000-0000-0000-0000-00000000000b', 'X', '', 'pass', 'low', 't', 'shared', '{}')`);
    await db.execute(sql`
      insert into finding_sets (hash, items, size) values
        ('set-c1', '{00000000-0000-0000-0000-00000000000a,00000000-0000-0000-0000-00000000000b}', 2),
        ('set-c4', '{00000000-0000-0000-0000-00000000000b}', 1)`);
    await db.execute(sql`insert into run_findings (run_id, partner_id, payer_account_id, set_hash) values
      ('c1', 'p1', '310000000001', 'set-c1'), ('c4', 'p1', '310000000001', 'set-c4')`);
    // c1 re-scored: its row goes, and the set it pointed at becomes a candidate (nothing else is looked at).
    await db.execute(sql`delete from run_findings where run_id = 'c1'`);
    expect(await count(db, 'finding_set_orphans')).toBe(1);
    // Cut-off at day 1.5: c1 and c2 go; c2's layout was its own, c1's is still c5's.
    const purged = await purgeEvidence(db, { now: at(3), retentionDays: 1.5 });
    expect(purged.evidenceRows).toBe(2); // c1, c2
    expect(purged.requestLayouts).toBe(1);
    expect(purged.documents).toBe(0); // c3..c5 still point at the document
    expect(purged.findingSets).toBe(1);
    expect(purged.findingContents).toBe(1);
    expect(await count(db, 'finding_set_orphans')).toBe(0);
    expect(await count(db, 'finding_contents')).toBe(1);
    expect(await count(db, 'evidence_request_layouts')).toBe(2);
    // What is kept still reads whole.
    expect((await read('c3')).access.requestIds?.[0]).toBe('NOT-A-UUID');
    // Purging the rest leaves no document and no layout behind.
    await db.execute(sql`delete from run_findings`);
    const rest = await purgeEvidence(db, { now: at(30), retentionDays: 1 });
    expect(rest.evidenceRows).toBe(3);
    expect(rest.documents).toBe(1);
    expect(rest.requestLayouts).toBe(2);
    expect(rest.findingContents).toBe(1);
    for (const t of ['evidence_docs', 'evidence_request_layouts', 'finding_sets', 'finding_contents'])
      expect(await count(db, t)).toBe(0);
  });
});
