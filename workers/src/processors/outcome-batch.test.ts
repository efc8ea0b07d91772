import { type Database, defaultSettings } from '@payerguard/core';
import { evaluatePayer, evaluationFingerprint } from '@payerguard/core/engine/evaluate';
import { buildPayerView } from '@payerguard/core/read-model/build-payer-view';
import { testDatabase } from '@payerguard/core/testing/db';
import { compliantEvidence, FIXTURE_NOW, withEvidence } from '@payerguard/core/testing/evidence';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PayerOutcome } from './outcome.js';
import { OutcomeBatcher } from './outcome-batch.js';

/** Group commit of payer outcomes on a real database (PGlite, or PostgreSQL with DATABASE_URL). */
let database: Database;
const settings = defaultSettings();
const fingerprint = evaluationFingerprint(settings);

beforeAll(async () => {
  database = await testDatabase();
});
afterAll(async () => {
  await database?.close();
});

const accounts = (run: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${run.replace(/\D/g, '').padStart(4, '0')}${String(i).padStart(8, '0')}`);

/** A run of `n` payers of one partner, all running. */
async function seedRun(runId: string, n: number): Promise<string[]> {
  const db = database.db;
  const ids = accounts(runId, n);
  await db.execute(sql`insert into partners (id, name) values (${`p-${runId}`}, ${runId}) on conflict do nothing`);
  for (const a of ids)
    await db.execute(sql`insert into payers (account_id, partner_id, role_arn, external_id)
      values (${a}, ${`p-${runId}`}, ${`arn:aws:iam::${a}:role/collector`}, 'x')`);
  await db.execute(sql`insert into runs (id, status, trigger, total) values (${runId}, 'running', 'cli', ${n})`);
  for (const a of ids)
    await db.execute(sql`insert into run_payers (run_id, payer_account_id, partner_id, status)
      values (${runId}, ${a}, ${`p-${runId}`}, 'running')`);
  return ids;
}

function outcome(runId: string, account: string): PayerOutcome {
  const evidence = compliantEvidence({ payerAccountId: account, partnerId: `p-${runId}` });
  return {
    runId,
    partnerId: `p-${runId}`,
    payerAccountId: account,
    status: 'collected',
    callStats: { ok: 1 },
    evidence,
    evaluated: {
      findings: evaluatePayer(evidence, { settings, now: FIXTURE_NOW }),
      fingerprint,
      view: buildPayerView(evidence, settings),
    },
  };
}

async function rows(q: ReturnType<typeof sql>) {
  return ((await database.db.execute(q)) as unknown as { rows: Record<string, unknown>[] }).rows;
}

async function recordedState(runId: string) {
  const [run] = await rows(sql`select collected, failed from runs where id = ${runId}`);
  const [ev] = await rows(sql`select count(*)::int as n from evidence_runs where run_id = ${runId}`);
  const [views] = await rows(sql`select count(*)::int as n from payer_views where run_id = ${runId}`);
  const statuses = await rows(
    sql`select payer_account_id, status from run_payers where run_id = ${runId} order by payer_account_id`,
  );
  const [access] = await rows(sql`select count(*)::int as n from payers
    where partner_id = ${`p-${runId}`} and last_access_ok_at is not null`);
  return { run, evidence: ev!.n, views: views!.n, statuses, accessOk: access!.n };
}

describe('OutcomeBatcher', () => {
  it('records outcomes handed over at once in fewer transactions, each payer once, with all its rows', async () => {
    const ids = await seedRun('run-1001', 12);
    const batcher = new OutcomeBatcher(database.db, 5);
    const answers = await Promise.all(ids.map((a) => batcher.record(outcome('run-1001', a))));
    expect(answers).toEqual(ids.map(() => true));
    // 12 outcomes at once, 5 at most a batch: 3 transactions instead of 12.
    expect(batcher.stats).toEqual({ batches: 3, outcomes: 12, fallbacks: 0 });
    const state = await recordedState('run-1001');
    expect(state.run).toEqual({ collected: 12, failed: 0 });
    expect(state.evidence).toBe(12);
    expect(state.views).toBe(12);
    expect(state.accessOk).toBe(12);
    expect(new Set(state.statuses.map((r) => r.status))).toEqual(new Set(['collected']));

    // A retried job (or a duplicate in the same batch) is answered "already recorded" and counts nothing.
    const again = await Promise.all([
      batcher.record(outcome('run-1001', ids[0]!)),
      batcher.record(outcome('run-1001', ids[1]!)),
      batcher.record(outcome('run-1001', ids[1]!)),
    ]);
    expect(again).toEqual([false, false, false]);
    expect((await recordedState('run-1001')).run).toEqual({ collected: 12, failed: 0 });
  });

  it('answers a duplicate within one batch once', async () => {
    const [a, b] = await seedRun('run-1002', 2);
    const batcher = new OutcomeBatcher(database.db);
    const answers = await Promise.all([
      batcher.record(outcome('run-1002', a!)),
      batcher.record(outcome('run-1002', a!)),
      batcher.record(outcome('run-1002', b!)),
    ]);
    expect(answers).toEqual([true, false, true]);
    expect(batcher.stats.batches).toBe(1);
    expect((await recordedState('run-1002')).run).toEqual({ collected: 2, failed: 0 });
  });

  it('a batch that fails loses and doubles no payer: the others are recorded one by one, the bad one not at all', async () => {
    const ids = await seedRun('run-1003', 6);
    const batcher = new OutcomeBatcher(database.db);
    const bad = outcome('run-1003', ids[2]!);
    // A collection time the database refuses: its evidence insert fails, and with it the whole batch's transaction.
    bad.evidence = withEvidence(bad.evidence!, (e) => {
      e.collectedAt = 'not a time';
    });
    const settled = await Promise.allSettled(
      ids.map((a) => (a === ids[2] ? batcher.record(bad) : batcher.record(outcome('run-1003', a)))),
    );
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(batcher.stats.fallbacks).toBe(1);
    const state = await recordedState('run-1003');
    // Five recorded, each once; the bad payer has none of its rows (not a half-written snapshot) and stays running,
    // so its job's retry records it.
    expect(state.run).toEqual({ collected: 5, failed: 0 });
    expect(state.evidence).toBe(5);
    expect(state.views).toBe(5);
    expect(state.accessOk).toBe(5);
    expect(state.statuses.find((r) => r.payer_account_id === ids[2])?.status).toBe('running');

    expect(await batcher.record(outcome('run-1003', ids[2]!))).toBe(true);
    expect((await recordedState('run-1003')).run).toEqual({ collected: 6, failed: 0 });
  });

  it('records failed payers and outcomes of several runs in one batch', async () => {
    const [a] = await seedRun('run-1004', 1);
    const [b, c] = await seedRun('run-1005', 2);
    const batcher = new OutcomeBatcher(database.db);
    const lockout = outcome('run-1005', c!);
    lockout.status = 'failed';
    lockout.errorCode = 'AccessDenied';
    lockout.evidence = withEvidence(lockout.evidence!, (e) => {
      e.access = { status: 'denied', api: 'sts:AssumeRole', errorCode: 'AccessDenied', message: 'no' };
    });
    delete lockout.evaluated;
    const answers = await Promise.all([
      batcher.record(outcome('run-1004', a!)),
      batcher.record(outcome('run-1005', b!)),
      batcher.record(lockout),
    ]);
    expect(answers).toEqual([true, true, true]);
    expect(batcher.stats.batches).toBe(1);
    expect((await recordedState('run-1004')).run).toEqual({ collected: 1, failed: 0 });
    const five = await recordedState('run-1005');
    expect(five.run).toEqual({ collected: 1, failed: 1 });
    expect(five.evidence).toBe(2);
    expect(five.views).toBe(1);
    const [err] = await rows(sql`select last_access_error from payers where account_id = ${c!}`);
    expect(err!.last_access_error).toBe('AccessDenied: no');
  });
});
