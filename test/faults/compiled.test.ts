import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Database, openDatabase } from '@payerguard/core';
import { type Simulator, startSimulator } from '@payerguard/sim';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Proc, payerguard } from './harness/processes.js';
import {
  freePort,
  type PrivatePostgres,
  type PrivateRedis,
  startPrivatePostgres,
  startPrivateRedis,
} from './harness/servers.js';

/**
 * The image runs compiled JavaScript: `npm run build` bundles the server side into dist/, and the Dockerfile's last
 * stage holds dist/, web/dist, core/drizzle and production node_modules. This lays out the same tree in a temp dir
 * (no TypeScript sources beside it, no tsx loaded) and runs `node dist/payerguard.mjs migrate | partners import |
 * api | worker | collect --wait` as separate processes against a private PostgreSQL and Redis and the simulator.
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let app: string;
let bin: string;
let pg: PrivatePostgres;
let redis: PrivateRedis;
let sim: Simulator;
let database: Database;
let env: Record<string, string>;
const procs: Proc[] = [];

const compiled = (name: string, args: string[], extra: Record<string, string> = {}) => {
  const p = payerguard(name, args, { ...env, ...extra }, bin);
  procs.push(p);
  return p;
};

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'payerguard-image-'));
  execFileSync(process.execPath, [join(repo, 'scripts/build.mjs'), '--outdir', join(app, 'dist')], { stdio: 'pipe' });
  cpSync(join(repo, 'core/drizzle'), join(app, 'core/drizzle'), { recursive: true });
  mkdirSync(join(app, 'web/dist'), { recursive: true });
  writeFileSync(join(app, 'web/dist/index.html'), '<!doctype html><div id="root">compiled-dashboard</div>');
  // The packages the bundle imports; the build refuses any that is not a production dependency.
  symlinkSync(join(repo, 'node_modules'), join(app, 'node_modules'), 'dir');
  bin = join(app, 'dist/payerguard.mjs');
  [pg, redis, sim] = await Promise.all([
    startPrivatePostgres(),
    startPrivateRedis(),
    startSimulator({ port: 0, partners: 4, seed: 77, credentialReportDelayMs: 50 }),
  ]);
  env = {
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    AWS_ENDPOINT_URL: sim.url,
    AWS_ACCESS_KEY_ID: 'AKIATESTHUB000000001',
    AWS_SECRET_ACCESS_KEY: 'test-hub-secret',
    AWS_REGION: 'us-east-1',
    // Run from the image's tree, not the checkout: nothing may be found relative to the working directory.
    HOME: app,
  };
}, 120_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill()));
  await database?.close().catch(() => {});
  await sim?.close();
  await Promise.all([pg?.destroy(), redis?.stop()]);
  if (app) rmSync(app, { recursive: true, force: true });
});

describe('the compiled entry points (what the image runs)', () => {
  it('dist holds no TypeScript and loads no tsx', () => {
    const files = execFileSync('find', [join(app, 'dist'), '-type', 'f'], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(files.some((f) => f.endsWith('.ts'))).toBe(false);
    expect(files.map((f) => f.slice(app.length + 1))).toEqual(
      expect.arrayContaining(['dist/payerguard.mjs', 'dist/thread-entry.mjs']),
    );
    const grep = (re: string) => {
      try {
        return execFileSync('grep', ['-rlE', re, join(app, 'dist'), '--include=*.mjs'], { encoding: 'utf8' });
      } catch {
        return '';
      }
    };
    expect(grep(`from ['"]tsx|import\\(['"]tsx|@payerguard/`)).toBe('');
  });

  it('migrate, partners import, api, worker and collect --wait: a whole run over PostgreSQL and Redis', async () => {
    const migrate = compiled('migrate', ['migrate']);
    expect(await migrate.exit, migrate.err()).toBe(0);
    database = await openDatabase({ databaseUrl: pg.url });
    const tables = await database.db.execute(sql`select count(*)::int as n from information_schema.tables
      where table_schema = 'public' and table_name in ('partners', 'runs', 'run_payers', 'evidence', 'snapshots')`);
    expect((tables as unknown as { rows: { n: number }[] }).rows[0]?.n).toBe(5);

    const registry = join(app, 'registry.jsonl');
    writeFileSync(
      registry,
      sim
        .registry()
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const imp = compiled('import', ['partners', 'import', registry]);
    expect(await imp.exit, imp.err()).toBe(0);

    const port = await freePort();
    const api = compiled('api', ['api'], { PORT: String(port) });
    const base = `http://127.0.0.1:${port}`;
    const worker = compiled('worker', ['worker', '--concurrency', '4'], { EVALUATION_THREADS: '1' });
    const health = await eventually(
      'the compiled API healthy with a worker',
      async () => {
        const r = await fetch(`${base}/api/health`);
        const body = (await r.json()) as { status: string; workers?: { alive: number } };
        return r.status === 200 && body.status === 'ok' && (body.workers?.alive ?? 0) >= 1 ? body : undefined;
      },
      60_000,
    );
    expect(health).toMatchObject({ status: 'ok', database: { ok: true }, redis: { ok: true } });
    // The dashboard is served from the installation's web/dist, found from the compiled code.
    expect(await (await fetch(`${base}/partners`)).text()).toContain('compiled-dashboard');

    const collect = compiled('collect', ['collect', '--wait', '--json', '--timeout', '120']);
    expect(await collect.exit, collect.err()).toBe(0);
    const summary = JSON.parse(collect.out()) as { runId: string; status: string; total: number; collected: number };
    expect(summary.status).toBe('completed');
    expect(summary.total).toBe(sim.estate.payers.length);
    expect(summary.collected).toBe(summary.total);

    // The evaluation thread (dist/thread-entry.mjs) judged every payer ahead of scoring, and every partner is scored.
    const count = async (q: ReturnType<typeof sql>) =>
      Number(((await database.db.execute(q)) as unknown as { rows: { n: number }[] }).rows[0]?.n);
    expect(
      await count(
        sql`select count(*)::int as n from evidence where run_id = ${summary.runId} and evaluated_with is not null`,
      ),
    ).toBe(summary.total);
    expect(
      await count(sql`select count(distinct partner_id)::int as n from snapshots where run_id = ${summary.runId}`),
    ).toBe(sim.estate.partners.length);
    expect(worker.err()).not.toMatch(/evaluation ahead of scoring failed|ERR_MODULE_NOT_FOUND/);

    for (const p of [api, worker]) {
      p.child.kill('SIGTERM');
      expect(await p.exit, p.err()).toBe(0);
    }
  }, 180_000);
});
