/**
 * Seeds an estate with days of history through the product's own write path, for the API bench: partners and payers
 * by registry import, then per day a run, each payer's outcome by recordOutcome (evidence and the findings the payer
 * job would have evaluated ahead) and scoreRun. So the bench measures whatever storage format those functions write.
 *
 * Evidence comes from the core fixtures (core/src/testing/evidence.ts): a compliant payer and one-gap variants
 * ("archetypes"). Most payers keep their archetype from day to day; a share drifts to another each day, as real
 * estates do. Evaluation is the slow part (policy simulation, ~100 ms a payer), so each archetype is evaluated once per
 * day on a template account and the findings are carried to every payer by replacing the template's account and
 * partner ids; `checkTemplates` proves, before seeding, that this gives exactly what evaluating the payer would.
 */
import type { Db, DistributorSettings, PayerEvidence, RegistryEntry } from '@payerguard/core';
import type { Finding } from '@payerguard/core/controls/types';
import { runPayers, runs } from '@payerguard/core/db/schema';
import { evaluatePayer, evaluationFingerprint } from '@payerguard/core/engine/evaluate';
import { scoreRun } from '@payerguard/core/engine/score-run';
import { importRegistry } from '@payerguard/core/partners/import';
import { breaks, compliantEvidence } from '@payerguard/core/testing/evidence';
import { recordOutcome } from '@payerguard/workers/processors/outcome';
import { eq, sql } from 'drizzle-orm';

const DAY_MS = 86_400_000;
const TEMPLATE_ACCOUNT = '399999999999';
const TEMPLATE_PARTNER = 'bench-template';
const TEMPLATE_SPEND = 1000;

/** Weighted one-gap variants; 'lockout' payers stay locked out (their last successful access never changes). */
const ARCHETYPES: { name: string; weight: number; make: (ev: PayerEvidence) => PayerEvidence }[] = [
  { name: 'compliant', weight: 55, make: (ev) => ev },
  { name: 'root-email', weight: 4, make: (ev) => breaks.rootEmail(ev) },
  { name: 'billing-contact', weight: 5, make: (ev) => breaks.billingContact(ev) },
  { name: 'member-domain', weight: 6, make: (ev) => breaks.memberDomain(ev) },
  { name: 'no-root-mfa', weight: 3, make: (ev) => breaks.noRootMfa(ev) },
  { name: 'root-access-key', weight: 2, make: (ev) => breaks.rootAccessKey(ev) },
  { name: 'monitor-rule', weight: 6, make: (ev) => breaks.monitorRule(ev) },
  { name: 'trail-stopped', weight: 4, make: (ev) => breaks.trail(ev) },
  { name: 'admin-without-boundary', weight: 6, make: (ev) => breaks.adminWithoutBoundary(ev) },
  { name: 'boundary-drift', weight: 4, make: (ev) => breaks.boundaryDrift(ev) },
  { name: 'central-root-off', weight: 3, make: (ev) => breaks.centralizedRootOff(ev) },
  { name: 'lockout', weight: 2, make: (ev) => breaks.lockout(ev) },
];
const LOCKOUT = ARCHETYPES.findIndex((a) => a.name === 'lockout');

/** A small deterministic PRNG (mulberry32): the same seed gives the same estate and the same drift. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(r: () => number, exclude = -1): number {
  const total = ARCHETYPES.reduce((s, a, i) => s + (i === exclude ? 0 : a.weight), 0);
  let x = r() * total;
  for (let i = 0; i < ARCHETYPES.length; i++) {
    if (i === exclude) continue;
    x -= ARCHETYPES[i]!.weight;
    if (x < 0) return i;
  }
  return 0;
}

export interface BenchPayer {
  partnerId: string;
  accountId: string;
  /** Last full month's spend: varies by payer so the overview's spend sort and totals mean something. */
  spend: number;
}

export function benchEstate(partners: number): { entries: RegistryEntry[]; payers: BenchPayer[] } {
  const entries: RegistryEntry[] = [];
  const payers: BenchPayer[] = [];
  for (let i = 0; i < partners; i++) {
    const partnerId = `bench-${String(i).padStart(6, '0')}`;
    const accountId = `3${String(i).padStart(11, '0')}`;
    entries.push({
      partnerId,
      partnerName: `Bench Partner ${i}`,
      payerAccountId: accountId,
      roleArn: `arn:aws:iam::${accountId}:role/PayerGuardCollector`,
      externalId: `bench-ext-${i}`,
    });
    payers.push({ partnerId, accountId, spend: 500 + ((i * 7919) % 200) * 250 });
  }
  return { entries, payers };
}

/** Evidence text of one archetype on the template account, with a placeholder spend; collectedAt set per day. */
function templateText(archetype: number, anchor: Date, spend: number): string {
  const base = compliantEvidence({
    payerAccountId: TEMPLATE_ACCOUNT,
    partnerId: TEMPLATE_PARTNER,
    collectedAt: anchor,
    monthlySpend: spend,
  });
  return JSON.stringify(ARCHETYPES[archetype]!.make(base));
}

const forPayer = (text: string, p: BenchPayer) =>
  text.replaceAll(TEMPLATE_ACCOUNT, p.accountId).replaceAll(TEMPLATE_PARTNER, p.partnerId);

export interface SeedOptions {
  partners: number;
  days: number;
  /** Share of payers whose archetype changes on a given day. */
  drift: number;
  /** recordOutcome calls at once. */
  concurrency: number;
  /** The last day's collection time; day d is (days - 1 - d) days before it. */
  end: Date;
  settings: DistributorSettings;
  onDay?: (day: number, seconds: number) => void | Promise<void>;
}

export interface SeedResult {
  payers: BenchPayer[];
  runIds: string[];
  evaluations: number;
  outcomes: number;
}

/**
 * Evidence and findings of one payer on one day. Spend is fixed per archetype in the template (findings do not
 * depend on it is checked below), then set per payer.
 */
class Templates {
  private readonly texts = new Map<number, string>();
  private readonly findings = new Map<string, string>();
  evaluations = 0;
  constructor(
    private readonly anchor: Date,
    private readonly settings: DistributorSettings,
  ) {}

  private text(a: number): string {
    let t = this.texts.get(a);
    if (t === undefined) {
      t = templateText(a, this.anchor, TEMPLATE_SPEND);
      this.texts.set(a, t);
    }
    return t;
  }

  evidence(a: number, p: BenchPayer, at: Date): PayerEvidence {
    const ev = JSON.parse(forPayer(this.text(a), p)) as PayerEvidence;
    ev.collectedAt = at.toISOString();
    setSpend(ev, p.spend);
    return ev;
  }

  /** The findings the payer job would store for archetype `a` on day `at`, for payer `p`. */
  findingsFor(a: number, p: BenchPayer, at: Date): Finding[] {
    const key = `${a}|${at.toISOString()}`;
    let f = this.findings.get(key);
    if (f === undefined) {
      const ev = JSON.parse(this.text(a)) as PayerEvidence;
      ev.collectedAt = at.toISOString();
      f = JSON.stringify(evaluate(ev, this.settings, at));
      this.findings.set(key, f);
      this.evaluations++;
      // Only the current day is asked for again; older days' findings are never needed.
      for (const k of this.findings.keys()) if (!k.endsWith(at.toISOString())) this.findings.delete(k);
    }
    return JSON.parse(forPayer(f, p)) as Finding[];
  }
}

/** The payer job's own rule: a reachable payer was last reached now; a locked-out one never was (in this estate). */
function evaluate(ev: PayerEvidence, settings: DistributorSettings, now: Date): Finding[] {
  return evaluatePayer(ev, { settings, now, ...(ev.access.status === 'ok' ? { lastAccessOkAt: now } : {}) });
}

function setSpend(ev: PayerEvidence, spend: number) {
  const ce = ev.costExplorer?.monthlySpend;
  if (ce?.status === 'ok') for (const m of ce.data) m.amount = (m.amount / TEMPLATE_SPEND) * spend;
}

/**
 * Proves the template shortcut honest: for every archetype, evaluating a real payer's own evidence gives exactly the
 * carried-over findings. Throws naming the archetype otherwise.
 */
function checkTemplates(t: Templates, settings: DistributorSettings, p: BenchPayer, at: Date) {
  for (let a = 0; a < ARCHETYPES.length; a++) {
    const direct = comparable(evaluate(t.evidence(a, p, at), settings, at));
    const carried = comparable(t.findingsFor(a, p, at));
    if (direct !== carried) {
      if (process.env.BENCH_DEBUG) {
        const d = JSON.parse(direct) as unknown[];
        const c = JSON.parse(carried) as unknown[];
        for (let i = 0; i < Math.max(d.length, c.length); i++)
          if (JSON.stringify(d[i]) !== JSON.stringify(c[i]))
            console.error(JSON.stringify(d[i]), '\n', JSON.stringify(c[i]));
      }
      throw new Error(`bench seed: archetype ${ARCHETYPES[a]!.name}: template findings differ from the payer's own`);
    }
  }
}

/** Findings as text without `simulations`: a count of work done, which the policy cache makes smaller on repeats. */
const comparable = (f: Finding[]) =>
  JSON.stringify(f, (k, v) => (k === 'simulations' && typeof v === 'number' ? undefined : v));

/** Runs `f` over `items` with at most `n` at once. */
async function pool<T>(items: T[], n: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}

export async function seedHistory(db: Db, o: SeedOptions): Promise<SeedResult> {
  const { entries, payers } = benchEstate(o.partners);
  await importRegistry(db, entries);
  const start = new Date(o.end.getTime() - (o.days - 1) * DAY_MS);
  // Events and windows are laid out before the first day and stay where they are, as real ones do.
  const templates = new Templates(start, o.settings);
  checkTemplates(templates, o.settings, payers[0]!, start);
  const fingerprint = evaluationFingerprint(o.settings);

  const r = rng(14);
  const archetype = payers.map(() => pick(r));
  const runIds: string[] = [];
  let outcomes = 0;
  let scoring: Promise<unknown> = Promise.resolve();
  for (let day = 0; day < o.days; day++) {
    const t0 = performance.now();
    const at = new Date(start.getTime() + day * DAY_MS);
    if (day > 0)
      for (let i = 0; i < payers.length; i++)
        if (archetype[i] !== LOCKOUT && r() < o.drift) archetype[i] = pick(r, LOCKOUT);
    const runId = `run-${at.toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15)}-bench${day}`;
    runIds.push(runId);
    // The run's rows as startRun writes them (without enqueueing: the bench is the worker here).
    await db.insert(runs).values({
      id: runId,
      status: 'running',
      trigger: 'schedule',
      total: payers.length,
      createdAt: at,
      startedAt: at,
      queuePrefix: 'bench-history',
    });
    await db.execute(sql`
      insert into ${runPayers} (run_id, payer_account_id, partner_id, status)
      select ${runId}, a, p, 'queued'
      from unnest(${sql.param(payers.map((p) => p.accountId))}::text[], ${sql.param(payers.map((p) => p.partnerId))}::text[]) as t(a, p)`);
    await pool(
      payers.map((p, i) => ({ p, a: archetype[i]! })),
      o.concurrency,
      async ({ p, a }) => {
        const evidence = templates.evidence(a, p, at);
        const ok = evidence.access.status === 'ok';
        const recorded = await recordOutcome(db, {
          runId,
          partnerId: p.partnerId,
          payerAccountId: p.accountId,
          status: ok ? 'collected' : 'failed',
          ...(ok ? {} : { errorCode: 'AccessDenied', errorMessage: 'sts:AssumeRole: AccessDenied' }),
          callStats: { ok: ok ? 30 : 0, denied: ok ? 0 : 1 },
          evidence,
          evaluated: { findings: templates.findingsFor(a, p, at), fingerprint },
        });
        if (!recorded) throw new Error(`bench seed: outcome of ${p.accountId} in ${runId} recorded twice`);
        outcomes++;
      },
    );
    // Day d is scored while day d+1's outcomes are recorded; scores stay in day order (each compares with the last).
    scoring = scoring.then(async () => {
      await scoreRun(db, runId, { now: at });
      await db.update(runs).set({ status: 'completed', finishedAt: at }).where(eq(runs.id, runId));
      await o.onDay?.(day, (performance.now() - t0) / 1000);
    });
    // Keep at most one day's scoring in flight, so memory stays bounded on long histories. The first day completes
    // before the second starts, so what it stored is measured alone (onDay).
    if (day === 0 || day % 2 === 1) await scoring;
  }
  await scoring;
  return { payers, runIds, evaluations: templates.evaluations, outcomes };
}
