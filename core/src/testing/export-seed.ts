import { sql } from 'drizzle-orm';
import type { Finding, Severity } from '../controls/types.js';
import type { Db } from '../db/index.js';
import { writeRunFindings } from '../engine/finding-store.js';
import { refillLatest } from '../engine/score-persist.js';
import type { PayerEvidence } from '../evidence/types.js';

/**
 * Synthetic scored history for export tests and the export benchmark: partners, runs, snapshots, findings and
 * evidence, written with `insert ... select from unnest(...)` so 10,000 partners load in seconds (STACK.md: a drizzle
 * values() list overflows past ~50,000 rows). Not used by the product itself.
 */
export interface SeedOptions {
  partners: number;
  /** Snapshots (runs) per partner, one day apart, the last at `latestAt`. */
  snapshots?: number;
  latestAt?: Date;
  /** Partner ids are `${prefix}0001`...; keeps fixtures of one database apart. */
  prefix?: string;
  /** Attach evidence (root events and IAM principals) to each snapshot. */
  withEvidence?: boolean;
}

export const SEED_CONTROLS = [
  { id: 'ACCESS-COLLECTOR', severity: 'critical', title: 'Collector role can be assumed' },
  { id: 'OWN-ROOT-EMAIL', severity: 'critical', title: 'Root email on a distributor domain' },
  { id: 'ROOT-MFA', severity: 'high', title: 'Root has MFA' },
  { id: 'ROOT-ACTIVITY', severity: 'medium', title: 'Root activity is seen and approved' },
  { id: 'BOUNDARY-COVERAGE', severity: 'high', title: 'Partner admins carry the boundary' },
] as const;

const GRADES = ['A', 'B', 'C', 'D', 'F'];
const pad = (n: number) => String(n).padStart(5, '0');

/** Deterministic: partner i gets grade GRADES[i % 5]; ROOT-MFA fails for grades D and F; spend is 1000 * (i + 1). */
export async function seedExportFixture(db: Db, o: SeedOptions): Promise<{ partnerIds: string[]; runIds: string[] }> {
  const prefix = o.prefix ?? 'p';
  const nSnap = o.snapshots ?? 1;
  const latest = o.latestAt ?? new Date('2026-11-01T00:00:00Z');
  const partnerIds = Array.from({ length: o.partners }, (_, i) => `${prefix}${pad(i + 1)}`);
  const runIds = Array.from({ length: nSnap }, (_, r) => `${prefix}run-${r + 1}`);
  const when = (r: number) => new Date(latest.getTime() - (nSnap - 1 - r) * 86_400_000);

  await db.execute(sql`insert into partners (id, name)
    select id, name from unnest(${sql.param(partnerIds)}::text[], ${sql.param(partnerIds.map((p, i) => `Partner ${i + 1} ${p}`))}::text[]) as t(id, name)`);
  await db.execute(sql`insert into runs (id, status, trigger, created_at)
    select id, 'completed', 'cli', at from unnest(${sql.param(runIds)}::text[], ${sql.param(runIds.map((_, r) => when(r).toISOString()))}::timestamptz[]) as t(id, at)`);

  for (let r = 0; r < nSnap; r++) {
    const runId = runIds[r]!;
    const at = when(r).toISOString();
    const grades = partnerIds.map((_, i) => (r === nSnap - 1 ? GRADES[i % GRADES.length]! : 'C'));
    const scores = grades.map((g, i) => ({ A: 95, B: 85, C: 72, D: 61, F: 30 })[g as 'A']! - ((i + r) % 5));
    const payer = partnerIds.map((_, i) => String(200000000000 + i));
    await db.execute(sql`insert into snapshots (id, partner_id, run_id, taken_at, score, grade, counts, critical_failures, locked_out, monthly_spend, changes)
      select 'snap-' || pid || '-' || ${runId}, pid, ${runId}, ${at}::timestamptz, score, grade,
             '{"fail":1,"pass":4}'::jsonb,
             case when grade = 'F' then '["OWN-ROOT-EMAIL"]'::jsonb else '[]'::jsonb end,
             grade = 'F', spend, '{"new":[],"resolved":[]}'::jsonb
      from unnest(${sql.param(partnerIds)}::text[], ${sql.param(grades)}::text[], ${sql.param(scores)}::int[],
                  ${sql.param(partnerIds.map((_, i) => 1000 * (i + 1)))}::float8[]) as t(pid, grade, score, spend)`);

    const found: Finding[] = [];
    partnerIds.forEach((pid, i) => {
      for (const c of SEED_CONTROLS) {
        const failing =
          (c.id === 'ROOT-MFA' && (grades[i] === 'D' || grades[i] === 'F')) ||
          (c.id === 'OWN-ROOT-EMAIL' && grades[i] === 'F');
        const status = failing ? 'fail' : c.id === 'ROOT-ACTIVITY' && i % 7 === 0 ? 'unknown' : 'pass';
        found.push({
          partnerId: pid,
          payerAccountId: payer[i]!,
          controlId: c.id,
          resource: c.id === 'BOUNDARY-COVERAGE' ? `arn:aws:iam::${payer[i]}:role/PartnerAdmin` : '',
          status,
          severity: c.severity as Severity,
          title: c.title,
          message: failing ? `${c.title}: no (monthly spend $${1000 * (i + 1)} at risk)` : `${c.title}: yes`,
          evidence: { decisive: `${c.id}:${status}`, monthlySpendAtRisk: 1234.5 },
          category: 'ownership',
          remediation: '',
        });
      }
    });
    await writeRunFindings(db, runId, found);

    if (o.withEvidence) {
      const docs = partnerIds.map((pid, i) => JSON.stringify(evidenceFor(pid, payer[i]!, at, i)));
      await db.execute(sql`insert into evidence (run_id, payer_account_id, partner_id, collected_at, data)
        select ${runId}, payer, pid, ${at}::timestamptz, doc::jsonb
        from unnest(${sql.param(partnerIds)}::text[], ${sql.param(payer)}::text[], ${sql.param(docs)}::text[]) as t(pid, payer, doc)`);
    }
  }
  await refillLatest(db, partnerIds);
  return { partnerIds, runIds };
}

function evidenceFor(partnerId: string, payerAccountId: string, at: string, i: number): PayerEvidence {
  const boundary = `arn:aws:iam::${payerAccountId}:policy/distributor/DistributorPartnerBoundary`;
  return {
    schemaVersion: 1,
    payerAccountId,
    partnerId,
    collectedAt: at,
    access: {
      status: 'ok',
      api: 'sts:AssumeRole',
      data: { roleArn: '', assumedRoleArn: '', accountId: payerAccountId },
    },
    iam: {
      accountSummary: { status: 'ok', api: 'iam:GetAccountSummary', data: {} },
      virtualMfaDevices: { status: 'ok', api: 'iam:ListVirtualMFADevices', data: [] },
      credentialReport: { status: 'ok', api: 'iam:GetCredentialReport', data: [] },
      organizationsFeatures: { status: 'ok', api: 'iam:ListOrganizationsFeatures', data: { enabledFeatures: [] } },
      authorizationDetails: {
        status: 'ok',
        api: 'iam:GetAccountAuthorizationDetails',
        data: {
          pages: 1,
          groups: [],
          policies: [],
          users: [],
          roles: [
            role(payerAccountId, 'PartnerAdmin', '/', i % 2 === 0 ? boundary : undefined),
            role(payerAccountId, 'PayerGuardCollector', '/distributor/', undefined),
          ],
        },
      },
    },
    cloudtrail: {
      lookbackDays: 90,
      trails: { status: 'ok', api: 'cloudtrail:DescribeTrails', data: [] },
      rootEvents: {
        status: 'ok',
        api: 'cloudtrail:LookupEvents',
        data: [
          {
            eventId: `ev-${partnerId}-${at}`,
            eventTime: at,
            eventName: 'ConsoleLogin',
            eventSource: 'signin.amazonaws.com',
            eventType: 'AwsConsoleSignIn',
            awsRegion: 'us-east-1',
            sourceIPAddress: '198.51.100.7',
            mfaUsed: i % 3 !== 0,
            outcome: 'Success',
            accountId: payerAccountId,
          },
        ],
      },
    },
  };
}

const role = (acct: string, name: string, path: string, boundary: string | undefined) => ({
  arn: `arn:aws:iam::${acct}:role${path}${name}`,
  name,
  roleId: `AROA${name.toUpperCase()}`,
  path,
  createDate: '2026-01-01T00:00:00Z',
  assumeRolePolicy: { Statement: [] },
  inlinePolicies: [],
  attachedPolicies: [],
  ...(boundary ? { permissionsBoundaryArn: boundary } : {}),
  tags: {},
});
