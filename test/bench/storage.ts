/**
 * `npm run bench storage`: how the database grows per collection run of the same estate (PostgreSQL, DATABASE_URL
 * required). Runs BENCH_RUNS (default 5) full collections of BENCH_PARTNERS (default 40) simulator partners through
 * the real workers, vacuums (as autovacuum would between two daily runs; BENCH_VACUUM=0 does not) and measures
 * pg_total_relation_size of every table after each run. For comparison it also
 * materialises what the layout before migration 0008 held for the same runs (one findings row per finding per run,
 * the whole evidence document per payer per run, with that layout's indexes) and measures that too. Prints
 * {"bench":"storage", partners, runs, bytesAfterRun: [...], oldLayoutBytesAfterRun: [...], bytesPerRun,
 *  oldLayoutBytesPerRun, findingChurn, tables}. `findingChurn` counts, per control, the finding contents a payer got after
 * its first run: the simulator's estate does not change between runs, so each is a finding naming the moment.
 */
import { embeddedQueuePrefix } from '@payerguard/cli/stack';
import { createLogger, type Db, loadConfig, openDatabase } from '@payerguard/core';
import { importRegistry } from '@payerguard/core/partners/import';
import { startRun, waitForRun } from '@payerguard/core/queue/runs';
import { startWorkers } from '@payerguard/workers';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { startSimProcess } from './_processes.js';
import { growthPerDay, type TableBytes, tableBytes } from './_sizes.js';

const partners = Number(process.env.BENCH_PARTNERS ?? 40);
const runCount = Number(process.env.BENCH_RUNS ?? 5);
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 5);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const vacuum = process.env.BENCH_VACUUM !== '0';
if (!process.env.DATABASE_URL) {
  console.error('storage: set DATABASE_URL (PostgreSQL): sizes are measured with pg_total_relation_size');
  process.exit(2);
}

/** Tables 0008 added or replaced: the old layout's size is the rest plus old_findings and old_evidence. */
const NEW_LAYOUT = ['evidence_docs', 'evidence_runs', 'finding_contents', 'finding_sets', 'run_findings'];
const LATEST = ['partner_latest', 'run_scores'];

async function tableSizes(db: Db): Promise<Record<string, number>> {
  const r = (await db.execute(sql`
    select c.relname as name, pg_total_relation_size(c.oid)::bigint as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind = 'r'`)) as unknown as { rows: { name: string; bytes: string }[] };
  return Object.fromEntries(r.rows.map((x) => [x.name, Number(x.bytes)]));
}

/** The same runs as the layout before 0008 stored them, measured and dropped again. */
async function oldLayoutBytes(db: Db, sizes: Record<string, number>): Promise<number> {
  await db.execute(sql`create table old_findings as
    select (row_number() over (order by id))::bigint as id, run_id, partner_id, payer_account_id, control_id, resource,
           status, severity, title, message, evidence, suppression_id
    from findings`);
  await db.execute(sql`alter table old_findings add primary key (id)`);
  await db.execute(sql`create index on old_findings (run_id, partner_id)`);
  await db.execute(sql`create index on old_findings (partner_id, control_id)`);
  await db.execute(sql`create index on old_findings (run_id, control_id, status)`);
  await db.execute(sql`create table old_evidence as select * from evidence`);
  await db.execute(sql`alter table old_evidence add primary key (run_id, payer_account_id)`);
  await db.execute(sql`create index on old_evidence (partner_id)`);
  const withOld = await tableSizes(db);
  await db.execute(sql`drop table old_findings, old_evidence`);
  let total = 0;
  for (const [name, bytes] of Object.entries(sizes))
    if (!NEW_LAYOUT.includes(name) && !LATEST.includes(name)) total += bytes;
  return total + (withOld.old_findings ?? 0) + (withOld.old_evidence ?? 0);
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const sim = await startSimProcess({ partners, seed: 7, latencyMs });
process.env.AWS_ENDPOINT_URL = sim.url;
process.env.AWS_ACCESS_KEY_ID ??= 'AKIABENCHHUB00000001';
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench-hub-secret';
const config = { ...loadConfig(), awsEndpointUrl: sim.url };
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
const database = await openDatabase({ databaseUrl: config.databaseUrl, scratch: true });
try {
  await database.migrate();
  const { db } = database;
  await importRegistry(db, sim.registry);
  const prefix = embeddedQueuePrefix('memory://bench-storage');
  const workers = await startWorkers({
    db,
    config,
    logger: createLogger('silent'),
    prefix,
    exports: false,
    concurrency,
  });
  const empty = sum(await tableSizes(db));
  const payerCount = sim.registry.length;
  // The steady state starts after the second run: the first inserts the estate's rewritten-every-run rows (views,
  // drill-downs, latest state), the second writes their new versions beside them; from then on, vacuumed, a run
  // reuses the space the run before it left. With fewer runs (or no vacuum) it is measured from the first.
  const from = vacuum && runCount >= 3 ? 1 : 0;
  let fromRun: Record<string, TableBytes> | undefined;
  const after: number[] = [];
  const oldAfter: number[] = [];
  let sizes: Record<string, number> = {};
  for (let i = 0; i < runCount; i++) {
    const { runId } = await startRun({ db, connection: redis, prefix }, { trigger: 'cli' });
    await waitForRun(db, runId, { intervalMs: 200, timeoutMs: 3_600_000 });
    // Between two daily runs autovacuum makes the rows a run rewrote reusable (0010 tunes it for the tables rewritten
    // every run); runs back to back leave it no time, and the dead rows would be counted as growth.
    if (vacuum) await db.execute(sql`vacuum`);
    await db.execute(sql`analyze`);
    sizes = await tableSizes(db);
    after.push(sum(sizes));
    if (i === from) fromRun = await tableBytes(db);
    oldAfter.push(await oldLayoutBytes(db, sizes));
  }
  await workers.close();
  // What each run's evidence row holds besides its pointer: the request ids (uuid[] since 0010, else the volatile
  // map), and the findings evaluated ahead.
  const perRow = (
    (await db.execute(sql`
      select avg(coalesce(pg_column_size(volatile), 0))::int as volatile,
             avg(coalesce(pg_column_size(request_ids), 0))::int as "requestIds",
             avg(coalesce(cardinality(request_ids), 0))::int as "requestIdCount",
             avg(coalesce(pg_column_size(findings), 0))::int as findings,
             count(*)::int as rows, count(findings)::int as "rowsWithFindings"
      from evidence_runs`)) as unknown as { rows: Record<string, number>[] }
  ).rows[0];
  // Which controls wrote a new finding content for a payer after the first run: the simulator's estate does not
  // change between runs, so every count here is a finding that names something of the moment (a time, an age).
  const churn = (
    (await db.execute(sql`
      with items as (
        select rf.payer_account_id, unnest(fs.items) as hash
        from run_findings rf join finding_sets fs on fs.hash = rf.set_hash
      ), per_finding as (
        select c.control_id, i.payer_account_id, c.resource, count(distinct i.hash) as contents
        from items i join finding_contents c on c.hash = i.hash
        group by 1, 2, 3
      )
      select control_id, sum(contents - 1)::int as "newContents"
      from per_finding group by 1 having sum(contents - 1) > 0 order by 2 desc, 1`)) as unknown as {
      rows: { control_id: string; newContents: number }[];
    }
  ).rows;
  const perRun = (xs: number[]) =>
    xs.length > from + 1 ? Math.round((xs[xs.length - 1]! - xs[from]!) / (xs.length - 1 - from)) : null;
  console.log(
    JSON.stringify({
      bench: 'storage',
      database: 'postgres',
      partners,
      runs: runCount,
      vacuumedBetweenRuns: vacuum,
      emptyBytes: empty,
      bytesAfterRun: after,
      oldLayoutBytesAfterRun: oldAfter,
      // Growth per run in the steady state a daily schedule lives in, from run `bytesPerRunFrom` (1-based) on.
      bytesPerRunFrom: from + 1,
      bytesPerRun: perRun(after),
      oldLayoutBytesPerRun: perRun(oldAfter),
      evidenceRunRow: perRow,
      // New finding contents per control over the runs after the first (an unchanged estate should add none).
      findingChurn: Object.fromEntries(churn.map((r) => [r.control_id, r.newContents])),
      tables: Object.fromEntries(Object.entries(sizes).filter(([, b]) => b > 16_384)),
      // Per table (heap, TOAST, indexes), per run and per payer-run, from the first run to the last.
      ...(fromRun && runCount > from + 1
        ? { growthPerRun: growthPerDay(fromRun, await tableBytes(db), runCount - 1 - from, payerCount) }
        : {}),
    }),
  );
} finally {
  await database.close();
  redis.disconnect();
  await sim.close();
}
