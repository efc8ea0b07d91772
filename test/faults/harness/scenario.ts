import { type Database, openDatabase, schema } from '@payerguard/core';
import { importRegistry } from '@payerguard/core/partners/import';
import { type Simulator, startSimulator } from '@payerguard/sim';
import { eq, sql } from 'drizzle-orm';
import { type Proc, payerguard } from './processes.js';
import { type PrivatePostgres, type PrivateRedis, startPrivatePostgres, startPrivateRedis } from './servers.js';

/**
 * A production-shaped deployment for one fault scenario: its own PostgreSQL and Redis (so restarting or wiping them
 * disturbs nobody), the AWS simulator, the registry imported, and `payerguard` processes started on demand.
 */
export interface Scenario {
  pg: PrivatePostgres;
  redis: PrivateRedis;
  sim: Simulator;
  database: Database;
  env: Record<string, string>;
  spawn(name: string, args: string[], env?: Record<string, string>): Proc;
  close(): Promise<void>;
}

export async function startScenario(opts: { partners: number; seed: number; latencyMs?: number }): Promise<Scenario> {
  const [pg, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  const sim = await startSimulator({
    port: 0,
    partners: opts.partners,
    seed: opts.seed,
    credentialReportDelayMs: 50,
    ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}),
  });
  const database = await openDatabase({ databaseUrl: pg.url });
  await database.migrate();
  await importRegistry(database.db, sim.registry());
  const env = {
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    AWS_ENDPOINT_URL: sim.url,
    AWS_ACCESS_KEY_ID: 'AKIATESTHUB000000001',
    AWS_SECRET_ACCESS_KEY: 'test-hub-secret',
    AWS_REGION: 'us-east-1',
  };
  const procs: Proc[] = [];
  return {
    pg,
    redis,
    sim,
    database,
    env,
    spawn(name, args, extra = {}) {
      const p = payerguard(name, args, { ...env, ...extra });
      procs.push(p);
      return p;
    },
    async close() {
      await Promise.all(procs.map((p) => p.kill()));
      await database.close().catch(() => {});
      await sim.close();
      await Promise.all([pg.destroy(), redis.stop()]);
    },
  };
}

/** What a run left in the database: its payers by status, evidence rows, snapshots. */
export async function runLedger(database: Database, runId: string) {
  const db = database.db;
  const payers = await db.select().from(schema.runPayers).where(eq(schema.runPayers.runId, runId));
  const [run] = await db.select().from(schema.runs).where(eq(schema.runs.id, runId));
  const count = async (q: ReturnType<typeof sql>) =>
    Number(((await db.execute(q)) as unknown as { rows: { n: number }[] }).rows[0]?.n ?? 0);
  return {
    run,
    payers,
    evidence: await count(sql`select count(*)::int as n from evidence where run_id = ${runId}`),
    distinctEvidence: await count(
      sql`select count(distinct payer_account_id)::int as n from evidence where run_id = ${runId}`,
    ),
    snapshots: await count(sql`select count(*)::int as n from snapshots where run_id = ${runId}`),
    distinctSnapshotPartners: await count(
      sql`select count(distinct partner_id)::int as n from snapshots where run_id = ${runId}`,
    ),
  };
}
