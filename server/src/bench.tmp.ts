import { sql } from 'drizzle-orm';
import { createLogger, loadConfig } from '@payerguard/core';
import { testDatabase } from '@payerguard/core/testing/db';
import { buildServer } from './app.js';
import { seedFixtures, USERS } from './testing/fixtures.js';
import { login, asSession } from './testing/harness.js';
const N = Number(process.env.N ?? 5000);
const database = await testDatabase();
const db = database.db;
await seedFixtures(db);
const t0 = performance.now();
await db.execute(sql`insert into partners (id, name) select 'p' || g, 'Partner ' || g from generate_series(1, ${N}) g`);
await db.execute(sql`insert into payers (account_id, partner_id, role_arn, external_id) select lpad((100000000000 + g)::text, 12, '0'), 'p' || g, 'arn:aws:iam::' || lpad((100000000000 + g)::text, 12, '0') || ':role/PayerGuardCollector', 'ext-' || g from generate_series(1, ${N}) g`);
await db.execute(sql`insert into snapshots (id, partner_id, run_id, taken_at, score, grade, counts, critical_failures, locked_out, monthly_spend, changes, previous_snapshot_id)
  select 's1-' || g, 'p' || g, 'run-1', '2026-11-01', 50 + (g % 50), 'C', '{}', '[]', false, g * 10, '{}', null from generate_series(1, ${N}) g`);
await db.execute(sql`insert into snapshots (id, partner_id, run_id, taken_at, score, grade, counts, critical_failures, locked_out, monthly_spend, changes, previous_snapshot_id)
  select 's2-' || g, 'p' || g, 'run-2', '2026-11-08', 40 + (g % 60), case when g % 5 = 0 then 'F' else 'B' end, '{}', case when g % 5 = 0 then '["ROOT-MFA"]'::jsonb else '[]'::jsonb end, g % 50 = 0, g * 11, '{}', 's1-' || g from generate_series(1, ${N}) g`);
await db.execute(sql`insert into findings (run_id, partner_id, payer_account_id, control_id, status, severity, title, message, evidence)
  select 'run-2', 'p' || g, lpad((100000000000 + g)::text, 12, '0'), c, case when (g + length(c)) % 4 = 0 then 'fail' else 'pass' end, 'high', c, 'm', '{}'
  from generate_series(1, ${N}) g, unnest(array['ROOT-MFA','ROOT-NO-ACCESS-KEYS','OWN-ROOT-EMAIL-DOMAIN','ACCESS-COLLECTOR-ROLE','GOV-ORG-TRAIL','ROOT-MONITOR-RULE','OWN-BILLING-CONTACT','ROOT-SIGNIN-MFA','BOUNDARY-COVERAGE','ROOT-HARDWARE-MFA','OWN-MEMBER-DOMAINS','ROOT-CENTRALIZED-ACCESS','ACCESS-BILLING-ROLE','ACCESS-LAST-SUCCESS','ROOT-NO-SIGNING-CERTS','OWN-PAYER-IS-MANAGEMENT']) c`);
console.log(JSON.stringify({ seeded: N, ms: Math.round(performance.now() - t0) }));
const app = await buildServer({ db, config: loadConfig({}), logger: createLogger('silent') });
const s = await login(app, USERS.analyst);
for (const url of ['/api/overview?limit=50', '/api/overview?limit=50&sort=spend&order=desc&grade=F', '/api/overview?failingControl=ROOT-MFA&limit=100', '/api/overview/matrix?limit=100', '/api/findings?status=fail&severity=high&limit=100']) {
  const times: number[] = [];
  let status = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const r = await app.inject({ method: 'GET', url, headers: asSession(s) });
    status = r.statusCode;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ bench: 'api', db: database.kind, partners: N + 2, url, status, medianMs: Math.round(times[2]!), maxMs: Math.round(times[4]!) }));
}
await app.close();
await database.close();
