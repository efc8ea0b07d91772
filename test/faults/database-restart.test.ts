import { schema } from '@payerguard/core';
import { createUser } from '@payerguard/server';
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Proc } from './harness/processes.js';
import { runLedger, type Scenario, startScenario } from './harness/scenario.js';
import { freePort } from './harness/servers.js';

/**
 * PostgreSQL restarts mid-run (a managed database failing over): every pooled connection is terminated and for a
 * few seconds nothing answers. The API (a separate `payerguard api` process) answers 503 with a clear body meanwhile
 * and /api/health says degraded; the two `payerguard worker` processes wait it out; nobody exits; the run completes
 * with every payer once; everything recovers by itself.
 */
let s: Scenario;
let api: Proc;
let workers: Proc[];
let base: string;
let cookie: string;

const PARTNERS = 8;
const PASSWORD = 'correct horse battery staple';

async function login(): Promise<string> {
  const r = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ops@example.com', password: PASSWORD }),
  });
  if (r.status !== 200) throw new Error(`login: ${r.status} ${await r.text()}`);
  return String(r.headers.get('set-cookie')).split(';')[0]!;
}

beforeAll(async () => {
  s = await startScenario({ partners: PARTNERS, seed: 21, latencyMs: 60 });
  await createUser(s.database.db, { email: 'ops@example.com', password: PASSWORD, role: 'admin' });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  api = s.spawn('api', ['api'], { PORT: String(port), HOST: '127.0.0.1' });
  workers = [1, 2].map((i) => s.spawn(`worker-${i}`, ['worker', '--concurrency', '2']));
  await eventually('the API', async () => (await fetch(`${base}/api/health`)).status === 200, 60_000);
  cookie = await login();
}, 120_000);

afterAll(async () => s?.close());

describe('PostgreSQL restarts mid-run', () => {
  it('503 while it is gone, degraded health, no process exits, the run completes with every payer once', async () => {
    const collect = s.spawn('collect', ['collect', '--wait', '--json', '--timeout', '150']);
    const runId = await eventually(
      'the run',
      async () => (await s.database.db.select().from(schema.runs).orderBy(desc(schema.runs.createdAt)).limit(1))[0]?.id,
    );
    await eventually('two payers done', async () => {
      const l = await runLedger(s.database, runId);
      return l.payers.filter((p) => p.status === 'collected').length >= 2;
    });

    // A drill-down the API keeps (under its change feed) from before the outage.
    const [partner] = await s.database.db.select({ id: schema.partners.id }).from(schema.partners).limit(1);
    const drill = async () => {
      const r = await fetch(`${base}/api/partners/${partner!.id}`, { headers: { cookie } });
      expect(r.status).toBe(200);
      return (await r.json()) as { partner: { name: string } };
    };
    await drill();
    await drill();

    await s.pg.stop();
    const health = await fetch(`${base}/api/health`);
    expect(health.status).toBe(503);
    const h = (await health.json()) as { status: string; database: { ok: boolean; error?: string } };
    expect(h.status).toBe('degraded');
    expect(h.database.ok).toBe(false);
    const runs = await fetch(`${base}/api/runs`, { headers: { cookie } });
    expect(runs.status).toBe(503);
    expect(runs.headers.get('retry-after')).toBe('5');
    expect(await runs.json()).toEqual({
      error: 'Service Unavailable',
      message: expect.stringMatching(/database is unavailable/),
    });
    // A few seconds down, as in a failover; the workers' payers in flight meet the outage.
    await new Promise((r) => setTimeout(r, 4_000));
    await s.pg.start();

    expect(await collect.exit, [collect, ...workers, api].map((p) => `${p.name}: ${p.err()}`).join('\n')).toBe(0);
    const summary = JSON.parse(collect.out());
    expect(summary.status).toBe('completed');
    expect(summary.collected + summary.failed).toBe(s.sim.estate.payers.length);
    const l = await runLedger(s.database, runId);
    expect(new Set(l.payers.map((p) => p.payerAccountId))).toEqual(
      new Set(s.sim.estate.payers.map((p) => p.accountId)),
    );
    expect(l.payers.every((p) => p.status === 'collected' || p.status === 'failed')).toBe(true);
    expect(l.evidence).toBe(l.distinctEvidence);
    expect(l.snapshots).toBe(PARTNERS);
    expect(l.distinctSnapshotPartners).toBe(PARTNERS);
    expect(l.run?.collected).toBe(l.payers.filter((p) => p.status === 'collected').length);

    for (const p of [api, ...workers]) expect(p.alive(), `${p.name} exited: ${p.err()}`).toBe(true);
    // The API recovered by itself: health ok, the same session works.
    await eventually('health ok again', async () => (await fetch(`${base}/api/health`)).status === 200, 30_000);
    const after = await fetch(`${base}/api/runs`, { headers: { cookie } });
    expect(after.status).toBe(200);
    // Its change feed listens again: a change written behind its back after the outage shows on the drill-down it
    // kept before it (within the feed's bound, 3 s), never the kept page for good.
    await s.database.db
      .update(schema.partners)
      .set({ name: 'Renamed After The Outage' })
      .where(eq(schema.partners.id, partner!.id));
    await eventually(
      'the rename on the kept drill-down',
      async () => (await drill()).partner.name === 'Renamed After The Outage',
      3_000,
    );
  }, 200_000);
});
