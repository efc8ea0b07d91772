import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createLogger, loadConfig, schema } from '@payerguard/core';
import { simulationsRun } from '@payerguard/core/policy/engine';
import { buildServer } from '@payerguard/server/app';
import { hashPassword } from '@payerguard/server/auth/passwords';
import { asSession, login } from '@payerguard/server/testing/harness';
import type { SimUser } from '@payerguard/sim/estate/types';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EstateRun, runEstate } from './harness/run-estate.js';

/**
 * The drill-down says what the findings say, for the cases where it once re-derived the rules differently: a root
 * email and member accounts on a subdomain of the distributor's domain (and a look-alike domain that is not), and an
 * IAM administrator that is the distributor's only by its tag. Collected through the production path (sim, SDK,
 * BullMQ, evaluation threads), read through the HTTP API, which must simulate nothing.
 */

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';
let estate: EstateRun;
let app: FastifyInstance;
let redis: Redis;
let payer: string;
let partnerId: string;
let distributorDomain: string;

beforeAll(async () => {
  estate = await runEstate({
    partners: 3,
    seed: 23,
    timeoutMs: 600_000,
    // No fault is injected: a call that times out is the machine being busy, and must not turn answers into unknowns.
    collect: { timeoutMs: 30_000, maxAttempts: 3 },
    prepare(s) {
      const p = s.estate.payers.find((x) => x.profiles.length === 1 && x.profiles[0] === 'compliant');
      if (!p) throw new Error('the estate has no compliant payer');
      payer = p.accountId;
      partnerId = p.partnerId;
      distributorDomain = s.estate.settings.domains[0]!;
      const acct = s.estate.account(payer)!;
      const rootEmail = `aws-payer+${payer}@billing.${distributorDomain}`;
      acct.organization.masterEmail = rootEmail;
      acct.members[0]!.email = rootEmail;
      const member = (n: number, email: string) => ({
        id: `49999900000${n}`,
        name: `tricky ${n}`,
        email,
        status: 'ACTIVE' as const,
        joinedMethod: 'CREATED' as const,
        joinedTimestamp: new Date('2026-01-01T00:00:00Z'),
      });
      acct.members.push(
        member(1, `aws+dev@Accounts.${distributorDomain.toUpperCase()}`),
        member(2, `aws+prod@${distributorDomain}.evil.example`),
      );
      const template = acct.users[0]!;
      const tagged: SimUser = {
        ...template,
        name: 'ops-automation',
        path: '/',
        userId: 'AIDATRICKYTAGGED00001',
        groups: [],
        attached: [ADMIN_POLICY],
        inline: [],
        tags: s.estate.settings.distributorPrincipals.tags.map((t) => ({ Key: t.key, Value: t.value })),
      };
      delete tagged.boundaryArn;
      acct.users.push(tagged);
    },
  });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  app = await buildServer({
    db: estate.database.db,
    config: { ...loadConfig({}), awsEndpointUrl: 'http://127.0.0.1:9' },
    logger: createLogger('silent'),
    redis,
    queuePrefix: `drilldown-views-${process.pid}`,
  });
  await estate.database.db.insert(schema.users).values({
    id: 'u-analyst',
    email: 'analyst@views.test',
    passwordHash: await hashPassword('Views-Test-Password-1'),
    role: 'analyst',
  });
}, 660_000);

afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  await estate?.close();
});

interface Drilldown {
  detailsWithNextRun: boolean;
  payers: {
    accountId: string;
    evidence: {
      managementEmailOnDistributorDomain: boolean | null;
      calls: Record<string, { status: string }>;
    } | null;
  }[];
  memberAccounts: {
    payerAccountId: string;
    email: string;
    emailDomain: string;
    onDistributorDomain: boolean;
    isPayer: boolean;
  }[];
  principals: {
    payerAccountId: string;
    arn: string;
    name: string;
    distributorOwned: boolean;
    hasDistributorBoundary: boolean;
    canAdministerIam: boolean | null;
  }[];
  escalationPaths: { principalArn: string }[];
}

async function drilldown(): Promise<Drilldown> {
  const s = await login(app, 'analyst@views.test', 'Views-Test-Password-1');
  const r = await app.inject({ method: 'GET', url: `/api/partners/${partnerId}`, headers: asSession(s) });
  expect(r.statusCode).toBe(200);
  return r.json();
}

describe('drill-down read from stored payer views', () => {
  it("stores every scored partner's drill-down after the run, both variants, and answers with those bytes", async () => {
    const rows = (
      (await estate.database.db.execute(
        sql`select partner_id, variant, body_gzip from drilldown_bodies order by partner_id, variant`,
      )) as unknown as { rows: { partner_id: string; variant: string; body_gzip: Uint8Array }[] }
    ).rows.map((r) => ({ ...r, body: gunzipSync(r.body_gzip).toString('utf8') }));
    const scored = (
      (await estate.database.db.execute(sql`select partner_id from partner_latest order by partner_id`)) as unknown as {
        rows: { partner_id: string }[];
      }
    ).rows.map((r) => r.partner_id);
    expect(scored.length).toBe(3);
    expect(rows.map((r) => `${r.partner_id}/${r.variant}`)).toEqual(
      scored.flatMap((id) => [`${id}/staff`, `${id}/viewer`]),
    );
    for (const r of rows) expect(r.body.includes('"monthlySpend"')).toBe(r.variant === 'staff');
    const s = await login(app, 'analyst@views.test', 'Views-Test-Password-1');
    const answer = await app.inject({ method: 'GET', url: `/api/partners/${partnerId}`, headers: asSession(s) });
    expect(answer.body).toBe(rows.find((r) => r.partner_id === partnerId && r.variant === 'staff')!.body);
  });

  it('classifies domains as the ownership controls do (subdomains owned, look-alikes not)', async () => {
    const d = await drilldown();
    expect(d.detailsWithNextRun).toBe(false);
    const findings = estate.findingsByPayer.get(payer)!;
    const rootEmail = findings.find((f) => f.controlId === 'OWN-ROOT-EMAIL-DOMAIN')!;
    expect(rootEmail.status).toBe('pass');
    expect(d.payers.find((p) => p.accountId === payer)?.evidence?.managementEmailOnDistributorDomain).toBe(true);

    const members = d.memberAccounts.filter((m) => m.payerAccountId === payer);
    expect(members.find((m) => m.email.startsWith('aws+dev@'))?.onDistributorDomain).toBe(true);
    expect(members.find((m) => m.email.startsWith('aws+prod@'))?.onDistributorDomain).toBe(false);
    const memberDomains = findings.find((f) => f.controlId === 'OWN-MEMBER-DOMAINS')!;
    const external = (memberDomains.evidence as { externalDomains?: { domain: string }[] }).externalDomains ?? [];
    const pageExternal = new Set(members.filter((m) => !m.isPayer && !m.onDistributorDomain).map((m) => m.emailDomain));
    expect(new Set(external.map((e) => e.domain))).toEqual(pageExternal);
    expect(pageExternal.has(`${distributorDomain}.evil.example`)).toBe(true);
  });

  it("counts a tag-owned administrator as the distributor's, as BOUNDARY-COVERAGE does", async () => {
    const d = await drilldown();
    const findings = estate.findingsByPayer.get(payer)!;
    const coverage = findings.filter((f) => f.controlId === 'BOUNDARY-COVERAGE');
    expect(d.payers.find((p) => p.accountId === payer)?.evidence?.calls['iam.authorizationDetails']?.status).toBe('ok');
    const tagged = d.principals.find((p) => p.payerAccountId === payer && p.name === 'ops-automation')!;
    expect(tagged).toMatchObject({ distributorOwned: true, hasDistributorBoundary: false, canAdministerIam: true });
    // The control warns about it (tag-only ownership) and never fails it.
    expect(coverage.find((f) => f.resource === tagged.arn)?.status).toBe('warn');
    expect(d.escalationPaths.some((p) => p.principalArn === tagged.arn)).toBe(false);
    // Every principal the control fails is, on the page, a partner administrator without the boundary.
    for (const f of coverage.filter((x) => x.status === 'fail')) {
      const p = d.principals.find((x) => x.arn === f.resource);
      expect(p).toMatchObject({ distributorOwned: false, hasDistributorBoundary: false, canAdministerIam: true });
    }
    // Every principal the page shows as a partner administrator without the boundary is failed by the control.
    const failed = new Set(coverage.filter((x) => x.status === 'fail').map((x) => x.resource));
    for (const p of d.principals.filter((x) => x.payerAccountId === payer))
      if (!p.distributorOwned && !p.hasDistributorBoundary && p.canAdministerIam) expect(failed.has(p.arn)).toBe(true);
  });

  it('every collected payer of the run has a stored view', async () => {
    const r = (await estate.database.db.execute(sql`
      select count(*)::int as n, count(v.payer_account_id)::int as viewed
      from evidence e left join payer_views v on v.run_id = e.run_id and v.payer_account_id = e.payer_account_id
      where e.run_id = ${estate.runId}`)) as unknown as { rows: { n: number; viewed: number }[] };
    expect(r.rows[0]!.n).toBeGreaterThan(0);
    expect(r.rows[0]!.viewed).toBe(r.rows[0]!.n);
  });

  it('GET runs no policy simulation', async () => {
    await drilldown(); // login and warm-up outside the measured request
    const before = simulationsRun();
    const d = await drilldown();
    expect(d.principals.length).toBeGreaterThan(0);
    expect(simulationsRun()).toBe(before);
  });

  it('a run scored before views existed: details come with the next run, nothing is simulated on GET', async () => {
    await drilldown();
    await estate.database.db.execute(sql`delete from payer_views where partner_id = ${partnerId}`);
    const before = simulationsRun();
    const d = await drilldown();
    expect(d.detailsWithNextRun).toBe(true);
    expect(d.principals).toEqual([]);
    expect(d.payers.every((p) => p.evidence === null)).toBe(true);
    expect(simulationsRun()).toBe(before);
  });

  it('building the drill-down does not import the policy engine', () => {
    // Walks the builder's value imports (type-only imports load nothing) through our own packages.
    const seen = new Set<string>();
    const policy: string[] = [];
    const resolveSpec = (from: string, spec: string): string | null => {
      const m = /^@payerguard\/(core|server)(?:\/(.+))?$/.exec(spec);
      if (m) return join(repo, m[1]!, 'src', `${m[2] ?? 'index'}.ts`);
      if (spec.startsWith('.')) return resolve(dirname(from), spec.replace(/\.js$/, '.ts'));
      return null;
    };
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      if (file.includes(`${join('core', 'src', 'policy')}`)) policy.push(file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)) {
        const target = resolveSpec(file, m[1]!);
        if (target) walk(target);
      }
    };
    walk(join(repo, 'core', 'src', 'read-model', 'drilldown', 'build.ts'));
    expect(seen.size).toBeGreaterThan(3);
    expect(policy).toEqual([]);
  });
});
