import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Database, loadConfig, openDatabase } from '@payerguard/core';
import { testQueuePrefix } from '@payerguard/core/testing/db';
import { buildServer } from '@payerguard/server/app';
import { seedFixtures, USERS } from '@payerguard/server/testing/fixtures';
import { asSession, type Login, login } from '@payerguard/server/testing/harness';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payerguard } from './harness/processes.js';
import { type PrivatePostgres, startPrivatePostgres } from './harness/servers.js';

/**
 * Hostile values in the two places an admin pours data in: the partner registry (`payerguard partners import` and
 * POST /api/partners/import) and the settings (PUT /api/settings). Huge strings, wrong types, deep nesting, thousands
 * of good rows with one bad one: each is refused with an error that says what and where, and the database is exactly
 * as it was (every table compared, row for row) after each refusal.
 */
let pg: PrivatePostgres;
let database: Database;
let app: FastifyInstance;
let redis: Redis;
let admin: Login;
let dir: string;

const row = (i: number) => ({
  partnerId: `p-${Math.floor(i / 2)}`,
  partnerName: `Partner ${Math.floor(i / 2)}`,
  payerAccountId: String(300000000000 + i),
  roleArn: `arn:aws:iam::${300000000000 + i}:role/PayerGuardCollector`,
  externalId: `ext-${i}-abcdef`,
});
const rows = (n: number) => Array.from({ length: n }, (_, i) => row(i));
/** {"a":{"a":...}} nested `depth` deep, as text (JSON.stringify of such a value would itself recurse). */
const deep = (depth: number, leaf = '1') => `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;

/** Every table of the schema, row for row: a digest per table. */
async function snapshot(): Promise<Record<string, string>> {
  const client = database.db.$client as { query: (q: string) => Promise<{ rows: Record<string, string>[] }> };
  const tables = (
    await client.query(
      `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
    )
  ).rows.map((r) => r.table_name as string);
  const out: Record<string, string> = {};
  for (const t of tables) {
    const r = await client.query(
      `select count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' order by x::text)), '') as d from "${t}" x`,
    );
    out[t] = r.rows[0]!.d as string;
  }
  return out;
}

beforeAll(async () => {
  pg = await startPrivatePostgres();
  database = await openDatabase({ databaseUrl: pg.url });
  await database.migrate();
  await seedFixtures(database.db);
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  app = await buildServer({
    db: database.db,
    config: { ...loadConfig({}), awsEndpointUrl: 'http://127.0.0.1:9' },
    logger: createLogger('silent'),
    redis,
    queuePrefix: testQueuePrefix(),
  });
  admin = await login(app, USERS.admin);
  dir = mkdtempSync(join(tmpdir(), 'pg-hostile-'));
}, 60_000);

afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  await database?.close();
  await pg?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('registry imports with hostile values are refused whole', () => {
  const cases: { name: string; body: unknown; expect: RegExp }[] = [
    {
      name: '3,000 good rows and one with a number for payerAccountId (line 1717)',
      body: {
        registry: rows(3000)
          .map((r, i) => JSON.stringify(i === 1716 ? { ...r, payerAccountId: 300000001716 } : r))
          .join('\n'),
      },
      expect: /"line":1717,"message":"payerAccountId: required, 12 digits"/,
    },
    {
      name: 'a partner name of a million characters among 2,000 good entries',
      body: { entries: [...rows(1999), { ...row(1999), partnerName: 'x'.repeat(1_000_000) }] },
      expect: /"line":2000,"message":"partnerName: at most 200 characters \(got 1000000\)"/,
    },
    {
      name: 'a field nested 5,000 deep in place of a string',
      body: {
        registry: [JSON.stringify(row(0)), JSON.stringify(row(1)).replace('"Partner 0"', deep(5000, '"x"'))].join('\n'),
      },
      expect: /"line":2,"message":"partnerName: required"/,
    },
    {
      name: 'a registry that is a number',
      body: { registry: 42 },
      expect: /"line":1,"message":"expected a JSON object"/,
    },
    { name: 'entries that are an object', body: { entries: { a: 1 } }, expect: /body\/entries must be array/ },
    {
      name: 'entries nested 5,000 deep',
      body: `{"entries":[${deep(5000)}]}`,
      expect: /"line":1,"message":"partnerId: required/,
    },
    {
      name: 'rows that are not objects',
      body: { entries: [1, 'two', null, [row(0)]] },
      expect: /problem\(s\); nothing was imported/,
    },
    { name: 'both registry and entries', body: { registry: '', entries: [] }, expect: /send either \\"registry\\"/ },
    { name: 'not JSON at all', body: '{"entries":[', expect: /Unexpected end of JSON input|JSON/ },
  ];
  for (const c of cases)
    it(`POST /api/partners/import: ${c.name}`, async () => {
      const before = await snapshot();
      const r = await app.inject({
        method: 'POST',
        url: '/api/partners/import',
        headers: { ...asSession(admin), 'content-type': 'application/json' },
        payload: typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
      });
      expect(r.statusCode, r.body.slice(0, 300)).toBe(400);
      expect(r.body.slice(0, 2000)).toMatch(c.expect);
      expect(await snapshot()).toEqual(before);
    });

  it('POST /api/partners/import: a body above the 16 MiB limit is refused 413', async () => {
    const before = await snapshot();
    const r = await app.inject({
      method: 'POST',
      url: '/api/partners/import',
      headers: { ...asSession(admin), 'content-type': 'application/json' },
      payload: JSON.stringify({ registry: 'x'.repeat(17 * 1024 * 1024) }),
    });
    expect(r.statusCode).toBe(413);
    expect(await snapshot()).toEqual(before);
  });

  it('payerguard partners import: 5,000 good lines and one bad one, a huge name, deep nesting, garbage: exit 1, nothing written', async () => {
    const files: [string, string, RegExp][] = [
      [
        'one-bad.jsonl',
        rows(5000)
          .map((r, i) => JSON.stringify(i === 4241 ? { ...r, roleArn: ['not', 'a', 'string'] } : r))
          .join('\n'),
        /one-bad\.jsonl:4242: roleArn: required/,
      ],
      [
        'huge.jsonl',
        JSON.stringify({ ...row(0), partnerName: 'y'.repeat(5_000_000) }),
        /huge\.jsonl:1: partnerName: at most 200/,
      ],
      ['deep.json', `[${deep(10_000)}]`, /deep\.json:1: partnerId: required/],
      ['garbage.jsonl', '\u0000\u0001binary\n{"partnerId":', /garbage\.jsonl:1: not valid JSON/],
    ];
    for (const [name, text, expected] of files) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const before = await snapshot();
      const p = payerguard(`import ${name}`, ['partners', 'import', file], { DATABASE_URL: pg.url });
      expect(await p.exit, p.err()).toBe(1);
      expect(p.err()).toMatch(expected);
      expect(p.err()).toMatch(/nothing imported/);
      expect(await snapshot(), name).toEqual(before);
    }
  }, 120_000);
});

describe('settings with hostile values are refused whole', () => {
  const good = async () =>
    (await app.inject({ method: 'GET', url: '/api/settings', headers: asSession(admin) })).json();
  const cases: {
    name: string;
    change: (s: Record<string, unknown>) => unknown;
    expect: RegExp;
    status?: number;
  }[] = [
    // Past the API's 1 MiB body limit: refused before it is parsed.
    {
      name: 'a distributor name of a million characters',
      change: (s) => ({ ...s, distributorName: 'n'.repeat(1_100_000) }),
      expect: /Request body is too large/,
      status: 413,
    },
    {
      name: 'a distributor name of 100,000 characters',
      change: (s) => ({ ...s, distributorName: 'n'.repeat(100_000) }),
      expect: /distributorName must NOT have more than 200 characters/,
    },
    { name: 'domains as an object', change: (s) => ({ ...s, domains: { 'example.com': true } }), expect: /domains/ },
    {
      name: 'an object for the lookback days',
      change: (s) => ({ ...s, rootLookbackDays: { days: 7 } }),
      expect: /rootLookbackDays/,
    },
    {
      name: '5,000 domains',
      change: (s) => ({ ...s, domains: Array.from({ length: 5_000 }, (_, i) => `d${i}.example`) }),
      expect: /domains must NOT have more than 100 items/,
    },
    {
      name: '1,000 good root windows and one that ends before it starts',
      change: (s) => ({
        ...s,
        approvedRootWindows: [
          ...Array.from({ length: 999 }, (_, i) => ({
            start: `2026-01-01T00:00:00Z`,
            end: `2026-01-02T00:00:00Z`,
            reason: `w${i}`,
          })),
          { start: '2026-02-02T00:00:00Z', end: '2026-02-01T00:00:00Z', reason: 'backwards' },
        ],
      }),
      expect: /approvedRootWindows\/999: end must be after start/,
    },
    {
      name: 'a boundary document nested 5,000 deep',
      change: (s) => ({ ...s, boundary: { ...(s.boundary as object), approvedDocument: '__DEEP__' } }),
      expect: /boundary\.approvedDocument: an IAM policy document is at most 16 levels deep/,
    },
    { name: 'not an object at all', change: () => [1, 2, 3], expect: /body must be object/ },
  ];
  for (const c of cases)
    it(`PUT /api/settings: ${c.name}`, async () => {
      const before = await snapshot();
      let payload = JSON.stringify(c.change(await good()));
      payload = payload.replace('"__DEEP__"', `{"Version":"2012-10-17","Statement":${deep(5000, '[]')}}`);
      const r = await app.inject({
        method: 'PUT',
        url: '/api/settings',
        headers: { ...asSession(admin), 'content-type': 'application/json' },
        payload,
      });
      expect(r.statusCode, r.body.slice(0, 300)).toBe(c.status ?? 400);
      expect(r.body.slice(0, 2000)).toMatch(c.expect);
      expect(await snapshot()).toEqual(before);
    });
});
