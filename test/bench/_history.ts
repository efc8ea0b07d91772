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
import { randomUUID } from 'node:crypto';
import type { Db, DistributorSettings, PayerEvidence, RegistryEntry } from '@payerguard/core';
import type { Finding } from '@payerguard/core/controls/types';
import { runPayers, runs } from '@payerguard/core/db/schema';
import { evaluatePayer, evaluationFingerprint } from '@payerguard/core/engine/evaluate';
import {
  aggregateRun,
  findingKey,
  type PartnerEvaluation,
  type PreviousState,
} from '@payerguard/core/engine/score-aggregate';
import { type AccessOutcome, persistRun } from '@payerguard/core/engine/score-persist';
import { scoreRun } from '@payerguard/core/engine/score-run';
import type { Grade } from '@payerguard/core/engine/scoring';
import { lastFullMonthSpend } from '@payerguard/core/engine/spend';
import { applySuppressions } from '@payerguard/core/engine/suppressions';
import { splitEvidence, writeEvidence } from '@payerguard/core/evidence/store';
import { importRegistry } from '@payerguard/core/partners/import';
import { buildPayerView } from '@payerguard/core/read-model/build-payer-view';
import type { PayerView } from '@payerguard/core/read-model/payer-view';
import { prunePayerViews } from '@payerguard/core/read-model/payer-views-store';
import { breaks, compliantEvidence } from '@payerguard/core/testing/evidence';
import { recordOutcome } from '@payerguard/workers/processors/outcome';
import { eq, sql } from 'drizzle-orm';
import { carryFindings, carryOutcomes } from './_carry-forward.js';

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
  /** When in the day's run this payer is collected, after the run starts: each payer has its own collection time. */
  offsetMs: number;
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
    payers.push({ partnerId, accountId, offsetMs: (i * 337) % 1_800_000, spend: 500 + ((i * 7919) % 200) * 250 });
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
  /** AWS request ids per evidence call (fresh UUIDs every collection); default 4: 100 a payer, where a real collection of the simulator estate averaged 84 (bench storage). */
  requestIdsPerCall?: number;
  /** The last day's collection time; day d is (days - 1 - d) days before it. */
  end: Date;
  settings: DistributorSettings;
  onDay?: (day: number, seconds: number) => void | Promise<void>;
}

export interface SeedResult {
  payers: BenchPayer[];
  runIds: string[];
  evaluations: number;
  /** Outcomes written through recordOutcome (day 0 and every payer that changed). */
  outcomes: number;
  /** Payer-days carried forward by the SQL path (unchanged payers on later days). */
  carried: number;
  /** One payer's request ids as the layout before 0010 kept them (the jsonb path map), in bytes: for comparison. */
  requestIdsJsonBytes: number;
  requestIdsPerPayer: number;
}

/**
 * Evidence, findings and drill-down view of one payer on one day. Spend is fixed per archetype in the template
 * (findings and views do not depend on it is checked below), then set per payer. Request ids are fresh UUIDs on
 * every collection, `idsPerCall` per AWS call, as AWS gives them.
 */
class Templates {
  private readonly texts = new Map<number, string>();
  private readonly findings = new Map<string, string>();
  private readonly views = new Map<string, string>();
  private readonly carry = new Map<string, boolean>();
  private readonly inputs = new Map<string, { spend: ReturnType<typeof lastFullMonthSpend>; access: string }>();
  evaluations = 0;
  constructor(
    private readonly anchor: Date,
    private readonly settings: DistributorSettings,
    private readonly idsPerCall: number,
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
    const ev = JSON.parse(forPayer(this.text(a), p), (k, v) =>
      k === 'requestIds' && Array.isArray(v) ? Array.from({ length: this.idsPerCall }, () => randomUUID()) : v,
    ) as PayerEvidence;
    ev.collectedAt = payerTime(p, at);
    setSpend(ev, p.spend);
    return ev;
  }

  /** The findings the payer job would store for archetype `a` on day `at`, for payer `p`. */
  findingsFor(a: number, p: BenchPayer, at: Date): Finding[] {
    return JSON.parse(atPayerTime(forPayer(this.findingsText(a, at), p), p, at)) as Finding[];
  }

  private findingsText(a: number, at: Date): string {
    const key = `${a}|${at.toISOString()}`;
    let f = this.findings.get(key);
    if (f === undefined) {
      f = JSON.stringify(evaluate(this.templateEvidence(a, at), this.settings));
      this.findings.set(key, f);
      this.evaluations++;
      // Only the current day is asked for again; older days' findings are never needed.
      for (const k of this.findings.keys()) if (!k.endsWith(at.toISOString())) this.findings.delete(k);
    }
    return f;
  }

  /**
   * Whether yesterday's findings and view of archetype `a`, moved to today's time, are what evaluating it today gives:
   * the condition for carrying an unchanged payer forward. Evidence is laid out before the first day and ages, so on
   * some day an event leaves a look-back window and the verdict changes with no change to the account; that day the
   * archetype's payers go through the product path instead.
   */
  carriesForward(a: number, prevAt: Date, at: Date): boolean {
    const key = `${a}|${prevAt.toISOString()}|${at.toISOString()}`;
    let ok = this.carry.get(key);
    if (ok === undefined) {
      const moved = (x: unknown) => JSON.stringify(x).replaceAll(prevAt.toISOString(), at.toISOString());
      const prev = this.templateEvidence(a, prevAt);
      const today = this.templateEvidence(a, at);
      ok =
        moved(evaluate(prev, this.settings)) === JSON.stringify(evaluate(today, this.settings)) &&
        moved(buildPayerView(prev, this.settings)) === JSON.stringify(buildPayerView(today, this.settings));
      this.evaluations += 2;
      if (this.carry.size > 1000) this.carry.clear();
      this.carry.set(key, ok);
    }
    return ok;
  }

  /** The drill-down view the payer job would store beside the findings (core's buildPayerView). */
  viewFor(a: number, p: BenchPayer, at: Date): PayerView {
    const key = `${a}|${at.toISOString()}`;
    let v = this.views.get(key);
    if (v === undefined) {
      v = JSON.stringify(buildPayerView(this.templateEvidence(a, at), this.settings));
      this.views.set(key, v);
      for (const k of this.views.keys()) if (!k.endsWith(at.toISOString())) this.views.delete(k);
    }
    return JSON.parse(atPayerTime(forPayer(v, p), p, at)) as PayerView;
  }

  /**
   * What scoring needs of a payer's evidence besides its findings, without building the whole document: the spend
   * (the template's picked month scaled as setSpend scales every month) and the access call. Same values as
   * lastFullMonthSpend and .access of evidence(a, p, at), which checkTemplates compares.
   */
  scoringInputs(a: number, p: BenchPayer, at: Date): Pick<PartnerEvaluation, 'spends'> & { access: AccessOutcome } {
    const key = `${a}|${at.toISOString()}`;
    let t = this.inputs.get(key);
    if (t === undefined) {
      const ev = this.templateEvidence(a, at);
      t = { spend: lastFullMonthSpend(ev, at), access: JSON.stringify(ev.access) };
      this.inputs.set(key, t);
    }
    const spend = t.spend && { ...t.spend, amount: (t.spend.amount / TEMPLATE_SPEND) * p.spend };
    return {
      spends: [spend],
      access: { payerAccountId: p.accountId, collectedAt: payerTime(p, at), access: JSON.parse(forPayer(t.access, p)) },
    };
  }

  private templateEvidence(a: number, at: Date): PayerEvidence {
    const ev = JSON.parse(this.text(a)) as PayerEvidence;
    ev.collectedAt = at.toISOString();
    return ev;
  }
}

/** A payer's collection time on the day whose run starts at `at`. */
const payerTime = (p: BenchPayer, at: Date) => new Date(at.getTime() + p.offsetMs).toISOString();

/** A template's text (evaluated at the run's start) moved to the payer's own collection time. */
const atPayerTime = (text: string, p: BenchPayer, at: Date) => text.replaceAll(at.toISOString(), payerTime(p, at));

/**
 * The payer job's own rule: evaluated when collected; a reachable payer was last reached then, a locked-out one
 * never was (in this estate).
 */
function evaluate(ev: PayerEvidence, settings: DistributorSettings): Finding[] {
  const now = new Date(ev.collectedAt);
  return evaluatePayer(ev, { settings, now, ...(ev.access.status === 'ok' ? { lastAccessOkAt: now } : {}) });
}

function setSpend(ev: PayerEvidence, spend: number) {
  const ce = ev.costExplorer?.monthlySpend;
  if (ce?.status === 'ok') for (const m of ce.data) m.amount = (m.amount / TEMPLATE_SPEND) * spend;
}

/**
 * Proves the template shortcut honest: for every archetype, evaluating a real payer's own evidence (and building
 * its view) gives exactly the carried-over findings and view. Throws naming the archetype otherwise.
 */
function checkTemplates(t: Templates, settings: DistributorSettings, p: BenchPayer, at: Date) {
  for (let a = 0; a < ARCHETYPES.length; a++) {
    const ev = t.evidence(a, p, at);
    if (JSON.stringify(buildPayerView(ev, settings)) !== JSON.stringify(t.viewFor(a, p, at)))
      throw new Error(`bench seed: archetype ${ARCHETYPES[a]!.name}: template view differs from the payer's own`);
    const inputs = t.scoringInputs(a, p, at);
    const own = { spends: [lastFullMonthSpend(ev, at)], access: ev.access };
    const noIds = (v: unknown) => JSON.stringify(v, (k, x) => (k === 'requestIds' ? undefined : x));
    if (noIds(own) !== noIds({ spends: inputs.spends, access: inputs.access.access }))
      throw new Error(
        `bench seed: archetype ${ARCHETYPES[a]!.name}: template spend or access differs from the payer's own`,
      );
    const direct = comparable(evaluate(ev, settings));
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

/**
 * What autovacuum does between two daily runs (migration 0010 sets these tables to be vacuumed once about a day's
 * rows are dead): the seed runs a day in seconds, faster than autovacuum's naptime, so it vacuums them itself. Plain
 * VACUUM: space of dead rows is reused by the next day, files never shrink, so growth is measured honestly.
 */
async function vacuumDay(db: Db) {
  await db.execute(sql`vacuum evidence_runs, run_payers, payer_views, partner_latest, payers, runs`);
}

/** Seconds spent per phase of a day (BENCH_VERBOSE). */
function laps() {
  let t = performance.now();
  const spent: Record<string, number> = {};
  const lap = (name: string) => {
    const now = performance.now();
    spent[name] = Math.round(now - t) / 1000;
    t = now;
  };
  lap.report = () => JSON.stringify(spent);
  return lap;
}

const runIdOf = (at: Date, day: number) =>
  `run-${at.toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15)}-bench${day}`;

/**
 * Seeds `days` daily runs. Day 0 is the product's own path end to end: recordOutcome per payer (evidence, findings
 * and view as the payer job stores them) and scoreRun. On later days a share `drift` of payers changes archetype and
 * goes through recordOutcome; every other payer collected the same account state again, and its rows are carried
 * forward from the day before by carry-forward.ts's SQL (same row shapes as the product writes: checked every day
 * on sample payers against what the product path would have stored). Each later day is scored by the product's own
 * aggregate and persist steps (aggregateRun, persistRun, prunePayerViews) over every partner, with the findings of
 * unchanged payers written by the SQL path after persist.
 */
export async function seedHistory(db: Db, o: SeedOptions): Promise<SeedResult> {
  const { entries, payers } = benchEstate(o.partners);
  await importRegistry(db, entries);
  // Runs start at 02:00 UTC: the half hour of payer collection times never crosses a day or month.
  const first = new Date(o.end.getTime() - (o.days - 1) * DAY_MS);
  const start = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate(), 2));
  const idsPerCall = o.requestIdsPerCall ?? 4;
  // Events and windows are laid out before the first day and stay where they are, as real ones do.
  const templates = new Templates(start, o.settings, idsPerCall);
  // A payer collected late in the run (its own time differs from the template's).
  checkTemplates(templates, o.settings, payers[payers.length - 1]!, start);
  const fingerprint = evaluationFingerprint(o.settings);
  const sample = splitEvidence(templates.evidence(0, payers[0]!, start));
  // The same ids as the layout before 0010 kept them: a jsonb map of path -> ids.
  const oldMap: Record<string, string[]> = {};
  let at0 = 0;
  for (const [k, n] of sample.layout) {
    oldMap[k] = sample.requestIds.slice(at0, at0 + n);
    at0 += n;
  }
  const requestIdsJsonBytes = Buffer.byteLength(JSON.stringify(oldMap));

  const r = rng(14);
  const archetype = payers.map(() => pick(r));
  const runIds: string[] = [];
  let outcomes = 0;
  let carried = 0;
  let previous = new Map<string, PreviousState>();

  const findingsOf = (a: number, p: BenchPayer, at: Date) => templates.findingsFor(a, p, at);
  const record = async (runId: string, p: BenchPayer, a: number, at: Date) => {
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
      evaluated: { findings: findingsOf(a, p, at), fingerprint, view: templates.viewFor(a, p, at) },
    });
    if (!recorded) throw new Error(`bench seed: outcome of ${p.accountId} in ${runId} recorded twice`);
    outcomes++;
  };

  /**
   * recordOutcome for many payers at once, for later days: the evidence through the product's writeEvidence (a few
   * hundred rows a statement, as its unnest is built for), the view rows as storePayerView writes them, and the run
   * payer rows and counters as recordOutcome sets them (the payers' access is carried onto the registry by persist).
   */
  const recordMany = async (runId: string, list: { p: BenchPayer; a: number }[], at: Date) => {
    for (let k = 0; k < list.length; k += 250) {
      const chunk = list.slice(k, k + 250).map(({ p, a }) => {
        const evidence = templates.evidence(a, p, at);
        return { p, evidence, findings: findingsOf(a, p, at), view: templates.viewFor(a, p, at) };
      });
      await db.transaction(async (tx0) => {
        const tx = tx0 as unknown as Db;
        const col = <T>(f: (x: (typeof chunk)[number]) => T) => sql.param(chunk.map(f));
        const ok = (x: (typeof chunk)[number]) => x.evidence.access.status === 'ok';
        await tx.execute(sql`
          update run_payers r set status = t.status, error_code = t.code, error_message = t.message,
            call_stats = t.stats::jsonb, finished_at = now()
          from unnest(${col((x) => x.p.accountId)}::text[], ${col((x) => (ok(x) ? 'collected' : 'failed'))}::text[],
                      ${col((x) => (ok(x) ? null : 'AccessDenied'))}::text[],
                      ${col((x) => (ok(x) ? null : 'sts:AssumeRole: AccessDenied'))}::text[],
                      ${col((x) => JSON.stringify({ ok: ok(x) ? 30 : 0, denied: ok(x) ? 0 : 1 }))}::text[])
               as t(account, status, code, message, stats)
          where r.run_id = ${runId} and r.payer_account_id = t.account and r.status not in ('collected', 'failed')`);
        await writeEvidence(
          tx,
          chunk.map((x) => ({
            runId,
            payerAccountId: x.p.accountId,
            partnerId: x.p.partnerId,
            evidence: x.evidence,
            findings: x.findings,
            evaluatedWith: fingerprint,
          })),
        );
        await tx.execute(sql`
          insert into payer_views (run_id, payer_account_id, partner_id, schema_version, built_with, view)
          select ${runId}, t.account, t.partner, t.version, ${fingerprint}, t.view::jsonb
          from unnest(${col((x) => x.view.payerAccountId)}::text[], ${col((x) => x.view.partnerId)}::text[],
                      ${col((x) => x.view.schemaVersion)}::int[], ${col((x) => JSON.stringify(x.view))}::text[])
               as t(account, partner, version, view)`);
        const okCount = chunk.filter(ok).length;
        await tx.execute(sql`update runs set collected = collected + ${okCount}, failed = failed + ${chunk.length - okCount}
          where id = ${runId}`);
      });
      outcomes += chunk.length;
    }
  };

  for (let day = 0; day < o.days; day++) {
    const t0 = performance.now();
    const at = new Date(start.getTime() + day * DAY_MS);
    const changed = new Set<number>();
    if (day > 0)
      for (let i = 0; i < payers.length; i++)
        if (archetype[i] !== LOCKOUT && r() < o.drift) {
          archetype[i] = pick(r, LOCKOUT);
          changed.add(i);
        }
    // The last day is written whole (see carryOutcomes): every payer's findings evaluated ahead and view, as the
    // latest run holds them.
    const last = day === o.days - 1;
    if (day > 0 && last) for (let i = 0; i < payers.length; i++) changed.add(i);
    if (day > 0) {
      const prevAt = new Date(at.getTime() - DAY_MS);
      for (let i = 0; i < payers.length; i++)
        if (!changed.has(i) && !templates.carriesForward(archetype[i]!, prevAt, at)) changed.add(i);
    }
    const runId = runIdOf(at, day);
    const prevRunId = runIds[runIds.length - 1];
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

    if (day === 0 || !prevRunId) {
      await pool(
        payers.map((p, i) => ({ p, a: archetype[i]! })),
        o.concurrency,
        ({ p, a }) => record(runId, p, a, at),
      );
      await scoreRun(db, runId, { now: at });
      await vacuumDay(db);
    } else {
      const prevAt = new Date(at.getTime() - DAY_MS);
      const lap = laps();
      await recordMany(
        runId,
        [...changed].sort((x, y) => x - y).map((i) => ({ p: payers[i]!, a: archetype[i]! })),
        at,
      );
      carried += payers.length - changed.size;
      const kept = payers.filter((_, i) => !changed.has(i));
      const shift = {
        runId,
        prevRunId,
        accountIds: kept.map((p) => p.accountId),
        from: kept.map((p) => payerTime(p, prevAt)),
        to: kept.map((p) => payerTime(p, at)),
      };
      lap('record');
      await carryOutcomes(db, shift);
      lap('carryOutcomes');
      previous = await scoreDay(db, {
        runId,
        prevRunId,
        at,
        payers,
        archetype,
        changed,
        previous,
        templates,
        findingsOf,
      });
      lap('score');
      await carryFindings(db, shift);
      lap('carryFindings');
      await prunePayerViews(
        db,
        payers.map((p) => p.partnerId),
      );
      lap('prune');
      await checkCarried(db, templates, runId, at, payers, archetype, changed);
      lap('check');
      await vacuumDay(db);
      lap('vacuum');
      if (process.env.BENCH_VERBOSE) {
        const n = (await db.execute(
          sql`select (select count(*) from finding_contents) as contents, (select count(*) from finding_sets) as sets`,
        )) as unknown as { rows: unknown[] };
        console.error(lap.report(), JSON.stringify(n.rows[0]));
      }
    }
    if (day === 0) previous = await previousFromDb(db, runId, payers, archetype, findingsOf, at);
    await db.update(runs).set({ status: 'completed', finishedAt: at }).where(eq(runs.id, runId));
    await o.onDay?.(day, (performance.now() - t0) / 1000);
  }
  return {
    payers,
    runIds,
    evaluations: templates.evaluations,
    outcomes,
    carried,
    requestIdsJsonBytes,
    requestIdsPerPayer: sample.requestIds.length,
  };
}

/** The previous state scoring compares with, after day 0 (scoreRun wrote its snapshots). */
async function previousFromDb(
  db: Db,
  runId: string,
  payers: BenchPayer[],
  archetype: number[],
  findingsOf: (a: number, p: BenchPayer, at: Date) => Finding[],
  at: Date,
): Promise<Map<string, PreviousState>> {
  const r = (await db.execute(
    sql`select id, partner_id, score, grade from snapshots where run_id = ${runId}`,
  )) as unknown as { rows: { id: string; partner_id: string; score: number; grade: Grade }[] };
  const byPartner = new Map(r.rows.map((x) => [x.partner_id, x]));
  const out = new Map<string, PreviousState>();
  payers.forEach((p, i) => {
    const s = byPartner.get(p.partnerId);
    if (s) out.set(p.partnerId, openState(s, findingsOf(archetype[i]!, p, at)));
  });
  return out;
}

/** A partner's previous snapshot and open findings, as scoreRun reads them back (status fail or warn). */
function openState(s: { id: string; score: number; grade: Grade }, found: Finding[]): PreviousState {
  const open: PreviousState['open'] = new Map();
  for (const f of found)
    if (f.status === 'fail' || f.status === 'warn')
      open.set(findingKey(f.payerAccountId, f.controlId, f.resource), {
        status: f.status,
        severity: f.severity,
        message: f.message,
        controlId: f.controlId,
        payer: f.payerAccountId,
        resource: f.resource,
      });
  return { id: s.id, score: s.score, grade: s.grade, open };
}

/**
 * Scores a later day with the product's aggregate and persist steps over every partner. Only the changed payers'
 * findings go through persistRun's finding store; the others are carried by carryFindings just after (persist
 * deletes a run's findings before writing, so they must come after it).
 */
async function scoreDay(
  db: Db,
  d: {
    runId: string;
    prevRunId: string;
    at: Date;
    payers: BenchPayer[];
    archetype: number[];
    changed: Set<number>;
    previous: Map<string, PreviousState>;
    templates: Templates;
    findingsOf: (a: number, p: BenchPayer, at: Date) => Finding[];
  },
): Promise<Map<string, PreviousState>> {
  const started = Date.now();
  const byPartner = new Map<string, PartnerEvaluation>();
  const access: AccessOutcome[] = [];
  const changedAccounts = new Set([...d.changed].map((i) => d.payers[i]!.accountId));
  d.payers.forEach((p, i) => {
    const a = d.archetype[i]!;
    const inputs = d.templates.scoringInputs(a, p, d.at);
    const found = applySuppressions(d.findingsOf(a, p, d.at), [], d.at);
    const entry = byPartner.get(p.partnerId) ?? { findings: [], spends: [] };
    entry.findings.push(...found);
    entry.spends.push(...inputs.spends);
    byPartner.set(p.partnerId, entry);
    access.push(inputs.access);
  });
  const agg = aggregateRun({
    runId: d.runId,
    now: d.at,
    byPartner,
    previous: d.previous,
    payers: d.payers.length,
    evaluatedAhead: d.payers.length,
  });
  await persistRun(
    db,
    d.runId,
    { ...agg, findings: agg.findings.filter((f) => changedAccounts.has(f.payerAccountId)) },
    access,
    { started, live: false, previousRunIds: [d.prevRunId] },
  );
  const next = new Map<string, PreviousState>();
  for (const s of agg.snapshots)
    next.set(
      s.partnerId,
      openState({ id: s.id!, score: s.score, grade: s.grade as Grade }, byPartner.get(s.partnerId)!.findings),
    );
  return next;
}

/**
 * Checks, every day, that what the SQL path carried for a few unchanged payers is what the product path would have
 * stored for them: the findings (as the findings view reads them), the findings evaluated ahead, the drill-down view
 * and the evidence document (request ids aside: they are fresh on both paths).
 */
async function checkCarried(
  db: Db,
  templates: Templates,
  runId: string,
  at: Date,
  payers: BenchPayer[],
  archetype: number[],
  changed: Set<number>,
) {
  const picks = [0, Math.floor(payers.length / 2), payers.length - 1].filter((i, k, xs) => xs.indexOf(i) === k);
  for (const i of picks) {
    if (changed.has(i)) continue;
    const p = payers[i]!;
    const a = archetype[i]!;
    const want = templates.findingsFor(a, p, at);
    const stored = (await db.execute(sql`
      select control_id, resource, status, severity, title, message, evidence, suppression_id from findings
      where run_id = ${runId} and payer_account_id = ${p.accountId} order by id`)) as unknown as {
      rows: Record<string, unknown>[];
    };
    const asStored = want.map((f) => ({
      control_id: f.controlId,
      resource: f.resource,
      status: f.status,
      severity: f.severity,
      title: f.title,
      message: f.message,
      evidence: f.evidence ?? {},
      suppression_id: f.suppressionId ?? null,
    }));
    const row = (
      (await db.execute(sql`
        select e.data, e.findings, v.view from evidence e
        left join payer_views v on v.run_id = e.run_id and v.payer_account_id = e.payer_account_id
        where e.run_id = ${runId} and e.payer_account_id = ${p.accountId}`)) as unknown as {
        rows: { data: PayerEvidence; findings: Finding[] | null; view: PayerView | null }[];
      }
    ).rows[0];
    // jsonb keeps keys in its own order: compare with keys sorted, request ids (fresh on both paths) and
    // `simulations` (a count of work, see comparable) left out.
    const canon = (v: unknown) =>
      JSON.stringify(v, (k, x) =>
        k === 'requestIds' || (k === 'simulations' && typeof x === 'number')
          ? undefined
          : x && typeof x === 'object' && !Array.isArray(x)
            ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
            : x,
      );
    const problems = [
      canon(stored.rows) !== canon(asStored) && 'findings',
      !row && 'evidence row',
      row && row.findings !== null && canon(row.findings) !== canon(want) && 'findings evaluated ahead',
      row?.view && canon(row.view) !== canon(templates.viewFor(a, p, at)) && 'view',
      row && canon(row.data) !== canon(templates.evidence(a, p, at)) && 'evidence',
    ].filter(Boolean);
    if (problems.length && process.env.BENCH_DEBUG) {
      const first = (a: string, b: string) => {
        let k = 0;
        while (k < a.length && a[k] === b[k]) k++;
        return `${a.slice(Math.max(0, k - 80), k + 120)}\n  vs\n${b.slice(Math.max(0, k - 80), k + 120)}`;
      };
      console.error('findings:', first(canon(stored.rows), canon(asStored)));
      if (row?.view) console.error('view:', first(canon(row.view), canon(templates.viewFor(a, p, at))));
      if (row) console.error('evidence:', first(canon(row.data), canon(templates.evidence(a, p, at))));
    }
    if (problems.length)
      throw new Error(
        `bench seed: carried ${problems.join(', ')} of ${p.accountId} in ${runId} differ from the product's`,
      );
  }
}
