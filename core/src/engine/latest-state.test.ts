import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Db } from '../db/index.js';
import { runs } from '../db/schema.js';
import { purgeEvidence } from '../evidence/retention.js';
import { splitEvidence, writeEvidence } from '../evidence/store.js';
import type { PayerEvidence } from '../evidence/types.js';
import { addPartner, removePartner } from '../partners/manage.js';
import { testDatabase } from '../testing/db.js';
import { breaks, compliantEvidence, FIXTURE_NOW } from '../testing/evidence.js';
import { findingsForPartner, latestSnapshots, scoreRun } from './score-run.js';

const DAY = 86_400_000;
const at = (days: number) => new Date(FIXTURE_NOW.getTime() + days * DAY);
const PARTNERS = [
  { id: 'keep', payer: '300000000001' },
  { id: 'drift', payer: '300000000002' },
  { id: 'recreated', payer: '300000000003' },
];

/** The same account state collected again: a new collection time and new AWS request ids, nothing else. */
function recollected(ev: PayerEvidence, when: Date, tag: string): PayerEvidence {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) =>
        k === 'requestIds' && Array.isArray(x) ? [k, x.map((id) => `${id}-${tag}`)] : [k, walk(x)],
      ),
    );
  };
  return { ...(walk(ev) as PayerEvidence), collectedAt: when.toISOString() };
}

const count = async (db: Db, q: ReturnType<typeof sql>) =>
  Number(((await db.execute(q)) as unknown as { rows: { n: number | string }[] }).rows[0]?.n ?? 0);

describe('latest state and content-addressed storage', () => {
  let database: Database;
  let db: Db;
  const base = Object.fromEntries(
    PARTNERS.map((p) => [
      p.id,
      compliantEvidence({ partnerId: p.id, payerAccountId: p.payer, collectedAt: FIXTURE_NOW, monthlySpend: 100 }),
    ]),
  ) as Record<string, PayerEvidence>;

  /** One collection run written the way the payer jobs write it (writeEvidence), then scored. */
  async function collectAndScore(runId: string, day: number, evs: PayerEvidence[]) {
    await db.insert(runs).values({ id: runId, status: 'completed', trigger: 'manual', createdAt: at(day) });
    await db.transaction(async (tx) =>
      writeEvidence(
        tx as unknown as Db,
        evs.map((e) => ({ runId, payerAccountId: e.payerAccountId, partnerId: e.partnerId, evidence: e })),
      ),
    );
    return scoreRun(db, runId);
  }
  const sameAgain = (day: number, tag: string) => PARTNERS.map((p) => recollected(base[p.id]!, at(day), tag));

  beforeAll(async () => {
    database = await testDatabase();
    db = database.db;
    for (const p of PARTNERS)
      await addPartner(db, {
        id: p.id,
        name: `Partner ${p.id}`,
        payers: [
          { accountId: p.payer, roleArn: `arn:aws:iam::${p.payer}:role/PayerGuardCollector`, externalId: 'ext-test' },
        ],
      });
  });
  afterAll(async () => database?.close());

  it('stores evidence collected twice unchanged once, and reads each run back whole', async () => {
    const first = sameAgain(0, 'a');
    await collectAndScore('r1', 0, first);
    const docsAfterOne = await count(db, sql`select count(*) as n from evidence_docs`);
    const setsAfterOne = await count(db, sql`select count(*) as n from finding_sets`);
    const contentsAfterOne = await count(db, sql`select count(*) as n from finding_contents`);
    expect(docsAfterOne).toBe(PARTNERS.length);

    const second = sameAgain(0, 'b');
    await collectAndScore('r2', 0, second);
    expect(await count(db, sql`select count(*) as n from evidence_docs`)).toBe(docsAfterOne);
    expect(await count(db, sql`select count(*) as n from evidence_runs`)).toBe(2 * PARTNERS.length);
    // Same verdicts. A finding that names the AWS request proving it (the collector-role finding) is new content, and
    // its payer's set is new (a list of 16-byte addresses): at most one of each per payer. The rest are stored once.
    const contents = await count(db, sql`select count(*) as n from finding_contents`);
    expect(contents - contentsAfterOne).toBeLessThanOrEqual(PARTNERS.length);
    expect(await count(db, sql`select count(*) as n from finding_sets`)).toBeLessThanOrEqual(
      setsAfterOne + PARTNERS.length,
    );
    expect(await count(db, sql`select count(*) as n from run_findings where run_id = 'r2'`)).toBe(PARTNERS.length);

    // The evidence view gives back exactly what each run collected: its own time and request ids.
    const r = (await db.execute(
      sql`select payer_account_id, data from evidence where run_id = 'r2' order by payer_account_id`,
    )) as unknown as { rows: { data: PayerEvidence }[] };
    expect(r.rows.map((x) => x.data)).toEqual(second);
    // And the findings view gives both runs the same verdicts, in the same order (evidence carries run counters).
    const f = async (runId: string) =>
      (
        (await db.execute(
          sql`select payer_account_id, control_id, resource, status, severity, message from findings where run_id = ${runId} order by id`,
        )) as unknown as { rows: unknown[] }
      ).rows;
    expect(await f('r2')).toEqual(await f('r1'));
    expect((await f('r1')).length).toBeGreaterThan(PARTNERS.length * 10);
  });

  it('keeps request ids and the collection time out of the shared document', () => {
    const { doc, volatile } = splitEvidence(base.keep!);
    expect(JSON.stringify(doc)).not.toContain('requestIds');
    expect(doc).not.toHaveProperty('collectedAt');
    // Canonical ISO text: the evidence view puts it back from the row's collected_at (migration 0010).
    expect(volatile).not.toHaveProperty('collectedAt');
    expect(Object.keys(volatile).length).toBeGreaterThan(5);
  });

  it('reads the latest state the same with one run and with many runs of history', async () => {
    const view = async () => ({
      latest: (await latestSnapshots(db)).map((s) => ({
        partnerId: s.partnerId,
        score: s.score,
        grade: s.grade,
        lockedOut: s.lockedOut,
        monthlySpend: s.monthlySpend,
        criticalFailures: s.criticalFailures,
      })),
      findings: await Promise.all(
        PARTNERS.map(async (p) =>
          (await findingsForPartner(db, p.id)).map((x) => [x.payerAccountId, x.controlId, x.resource, x.status]),
        ),
      ),
    });
    const withTwo = await view();
    for (let d = 1; d <= 8; d++) await collectAndScore(`h${d}`, d, sameAgain(d, `h${d}`));
    const latest = await latestSnapshots(db);
    expect(latest.map((s) => s.runId)).toEqual(PARTNERS.map(() => 'h8'));
    expect(await view()).toEqual(withTwo);
  });

  it('moves a partner forward on a worse run, and re-scoring an older run leaves the latest alone', async () => {
    const drifted = PARTNERS.map((p) =>
      p.id === 'drift'
        ? breaks.rootAccessKey(recollected(base.drift!, at(9), 'd'))
        : recollected(base[p.id]!, at(9), 'd'),
    );
    await collectAndScore('h9', 9, drifted);
    const [drift] = await latestSnapshots(db, { partnerIds: ['drift'] });
    expect(drift?.runId).toBe('h9');
    const row = (await db.execute(
      sql`select run_id, score, previous_score, critical_count from partner_latest where partner_id = 'drift'`,
    )) as unknown as { rows: { run_id: string; score: number; previous_score: number; critical_count: number }[] };
    expect(row.rows[0]).toMatchObject({ run_id: 'h9', score: drift!.score, critical_count: 1 });
    expect(row.rows[0]!.previous_score).toBeGreaterThan(drift!.score);

    await scoreRun(db, 'h3');
    expect((await latestSnapshots(db, { partnerIds: ['drift'] }))[0]?.runId).toBe('h9');
  });

  it('does not let a partner re-created with the same id inherit the old one’s latest state', async () => {
    await removePartner(db, 'recreated');
    await addPartner(db, { id: 'recreated', name: 'A new partner' });
    expect(await latestSnapshots(db, { partnerIds: ['recreated'] })).toEqual([]);
    expect(await findingsForPartner(db, 'recreated')).toEqual([]);
    expect(await count(db, sql`select count(*) as n from partner_latest where partner_id = 'recreated'`)).toBe(0);
    // Re-scoring a run that held the old partner does not bring its state back either.
    expect(await count(db, sql`select count(*) as n from evidence_runs where partner_id = 'recreated'`)).toBe(0);
    await scoreRun(db, 'h8');
    expect(await latestSnapshots(db, { partnerIds: ['recreated'] })).toEqual([]);
  });

  it('purges raw evidence past the retention, never what a latest snapshot or a pending export needs', async () => {
    const runsBefore = await count(db, sql`select count(distinct run_id) as n from evidence_runs`);
    const findingsBefore = await count(db, sql`select count(*) as n from findings`);
    // An export being generated holds the purge off.
    await db.execute(
      sql`insert into exports (id, format, status, requested_by) values ('exp-pending', 'csv', 'pending', 'test')`,
    );
    expect((await purgeEvidence(db, { now: at(12), retentionDays: 1 })).evidenceRows).toBe(0);
    await db.execute(sql`update exports set status = 'ready' where id = 'exp-pending'`);

    const purged = await purgeEvidence(db, { now: at(12), retentionDays: 1 });
    expect(purged.evidenceRows).toBeGreaterThan(0);
    // Left: the runs of each partner's latest snapshot (h9, and r.. none), and runs newer than the cutoff (none).
    const left = (await db.execute(sql`select distinct run_id from evidence_runs order by run_id`)) as unknown as {
      rows: { run_id: string }[];
    };
    expect(left.rows.map((r) => r.run_id)).toEqual(['h9']);
    expect(runsBefore).toBeGreaterThan(1);
    // The documents the latest runs point at are still there, whole.
    const latest = (await db.execute(
      sql`select data from evidence where run_id = 'h9' and partner_id = 'keep'`,
    )) as unknown as { rows: { data: PayerEvidence }[] };
    expect(latest.rows[0]?.data).toEqual(recollected(base.keep!, at(9), 'd'));
    expect(
      await count(
        db,
        sql`select count(*) as n from evidence_docs d where not exists (select 1 from evidence_runs e where e.doc_hash = d.hash)`,
      ),
    ).toBe(0);
    // Findings and snapshots are history, not raw evidence: all still readable.
    expect(await count(db, sql`select count(*) as n from findings`)).toBe(findingsBefore);
  });

  it('purges after scoring by the distributor setting', async () => {
    await db.execute(
      sql`insert into settings (id, data) values (1, ${JSON.stringify({ evidenceRetentionDays: 1 })}::jsonb)
          on conflict (id) do update set data = settings.data || excluded.data`,
    );
    // h10 is new (kept: latest); h9 is no longer the latest of anyone and older than a day (purged).
    await collectAndScore('h10', 10, sameAgain(10, 'h10'));
    const left = (await db.execute(sql`select distinct run_id from evidence_runs order by run_id`)) as unknown as {
      rows: { run_id: string }[];
    };
    expect(left.rows.map((r) => r.run_id)).toEqual(['h10']);
  });

  it('drops the findings evaluated ahead from a run once a later run is the latest', async () => {
    const ahead = async (runId: string, day: number) => {
      await db.insert(runs).values({ id: runId, status: 'completed', trigger: 'manual', createdAt: at(day) });
      await db.transaction(async (tx) =>
        writeEvidence(
          tx as unknown as Db,
          sameAgain(day, runId).map((e) => ({
            runId,
            payerAccountId: e.payerAccountId,
            partnerId: e.partnerId,
            evidence: e,
            findings: [],
            evaluatedWith: 'fingerprint-of-other-settings',
          })),
        ),
      );
      await scoreRun(db, runId);
    };
    const kept = async (runId: string) =>
      count(db, sql`select count(*) as n from evidence_runs where run_id = ${runId} and findings is not null`);
    await ahead('e1', 13);
    expect(await kept('e1')).toBe(PARTNERS.length);
    await ahead('e2', 14);
    expect(await kept('e1')).toBe(0);
    expect(await kept('e2')).toBe(PARTNERS.length);
  });
});
