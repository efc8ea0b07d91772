/**
 * The database side of a payer job alone: recording payer outcomes (run_payers, evidence, findings, payer view, run
 * counter, access history) one transaction per payer against the batched group commit (OutcomeBatcher), with
 * BENCH_OUTCOME_CONCURRENCY payer jobs finishing at once. PGlite, and PostgreSQL when DATABASE_URL is set. Prints
 *   {"bench":"outcome-writes", database, mode: "per-payer"|"batched", outcomes, concurrency, seconds,
 *    outcomesPerSecond, cpuMsPerOutcome (this process), outcomesPerBatch}
 * The evidence is the core fixtures' compliant payer (each payer its own account id, so its own document).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings, loadConfig, openDatabase } from '@payerguard/core';
import { evaluatePayer, evaluationFingerprint } from '@payerguard/core/engine/evaluate';
import { buildPayerView } from '@payerguard/core/read-model/build-payer-view';
import { compliantEvidence, FIXTURE_NOW, FIXTURE_PAYER } from '@payerguard/core/testing/evidence';
import type { PayerOutcome } from '@payerguard/workers/processors/outcome';
import { recordOutcome } from '@payerguard/workers/processors/outcome';
import { OutcomeBatcher } from '@payerguard/workers/processors/outcome-batch';
import { sql } from 'drizzle-orm';
import { r2 } from './_processes.js';

const total = Number(process.env.BENCH_OUTCOMES ?? 400);
const concurrency = Number(process.env.BENCH_OUTCOME_CONCURRENCY ?? 32);
const config = loadConfig();
const settings = defaultSettings();
const fingerprint = evaluationFingerprint(settings);

// Evaluated once and carried to every payer by account id: the database work is what is measured.
const template = compliantEvidence();
const findings = evaluatePayer(template, { settings, now: FIXTURE_NOW });
const view = buildPayerView(template, settings);
const reAccount = (v: unknown, acct: string) => JSON.parse(JSON.stringify(v).replaceAll(FIXTURE_PAYER, acct));

for (const kind of config.databaseUrl ? ['pglite', 'postgres'] : ['pglite']) {
  for (const mode of ['per-payer', 'batched'] as const) {
    const dataDir = kind === 'pglite' ? await mkdtemp(join(tmpdir(), 'pg-bench-outcomes-')) : undefined;
    const database =
      kind === 'postgres'
        ? await openDatabase({ databaseUrl: config.databaseUrl, scratch: true })
        : await openDatabase({ dataDir: dataDir! });
    await database.migrate();
    const { db } = database;
    const runId = `bench-${mode}`;
    const accounts = Array.from({ length: total }, (_, i) => String(300000000000 + i));
    await db.execute(sql`insert into partners (id, name) values ('p', 'p')`);
    await db.execute(sql`insert into payers (account_id, partner_id, role_arn, external_id)
      select a, 'p', 'arn:aws:iam::' || a || ':role/c', 'x' from unnest(${sql.param(accounts)}::text[]) as a`);
    await db.execute(sql`insert into runs (id, status, trigger, total) values (${runId}, 'running', 'cli', ${total})`);
    await db.execute(sql`insert into run_payers (run_id, payer_account_id, partner_id, status)
      select ${runId}, a, 'p', 'running' from unnest(${sql.param(accounts)}::text[]) as a`);
    const outcomes: PayerOutcome[] = accounts.map((a) => ({
      runId,
      partnerId: 'p',
      payerAccountId: a,
      status: 'collected',
      callStats: { ok: 68 },
      evidence: reAccount(template, a),
      evaluated: { findings: reAccount(findings, a), fingerprint, view: reAccount(view, a) },
    }));
    const batcher = new OutcomeBatcher(db);
    const record =
      mode === 'batched' ? (o: PayerOutcome) => batcher.record(o) : (o: PayerOutcome) => recordOutcome(db, o);
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < outcomes.length) await record(outcomes[next++]!);
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const [check] = (
      (await db.execute(sql`select collected from runs where id = ${runId}`)) as unknown as {
        rows: { collected: number }[];
      }
    ).rows;
    if (check?.collected !== total) throw new Error(`recorded ${check?.collected} of ${total}`);
    console.log(
      JSON.stringify({
        bench: 'outcome-writes',
        database: kind,
        mode,
        outcomes: total,
        concurrency,
        seconds: r2(seconds),
        outcomesPerSecond: r2(total / seconds),
        cpuMsPerOutcome: r2((cpu.user + cpu.system) / 1000 / total),
        outcomesPerBatch: mode === 'batched' ? r2(batcher.stats.outcomes / batcher.stats.batches) : 1,
      }),
    );
    await database.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}
