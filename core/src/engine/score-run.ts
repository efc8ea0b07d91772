import { setImmediate } from 'node:timers/promises';
import { and, asc, desc, eq, gt, type SQL, sql } from 'drizzle-orm';
import { controlById } from '../controls/all-controls.js';
import type { Finding, FindingStatus, Severity } from '../controls/types.js';
import type { Db } from '../db/index.js';
import {
  evidence as evidenceTable,
  findings as findingsTable,
  partners,
  payers,
  runPayers,
  runs,
  snapshots,
} from '../db/schema.js';
import type { PayerEvidence } from '../evidence/types.js';
import { payerViewBuilder } from '../read-model/build-payer-view.js';
import { prunePayerViews } from '../read-model/payer-views-store.js';
import { loadSettings } from '../settings-store.js';
import { evaluatePayer, evaluationFingerprint } from './evaluate.js';
import { type Grade, type PartnerScore, scorePartner } from './scoring.js';
import { lastFullMonthSpend } from './spend.js';
import { compliantShare, isAtRisk, isCompliant } from './standing.js';
import { applySuppressions, listSuppressions } from './suppressions.js';

/** Rows per bulk statement: keeps each statement's arrays (and memory) bounded on very large estates. */
const CHUNK = 5_000;
/** Findings listed per change list in a snapshot; counts stay exact. */
const CHANGE_LIST_MAX = 200;

export interface FindingChange {
  controlId: string;
  payerAccountId: string;
  resource: string;
  severity: Severity;
  message: string;
  /** For new: the status now (fail/warn). For resolved: what it was (fail/warn) and what it is now. */
  status: FindingStatus;
  nowStatus?: FindingStatus | 'absent';
}

export interface SnapshotChanges {
  /** True on a partner's first snapshot: nothing to compare with. */
  baseline: boolean;
  previousScore: number | null;
  previousGrade: Grade | null;
  scoreDelta: number | null;
  newCount: number;
  resolvedCount: number;
  new: FindingChange[];
  resolved: FindingChange[];
}

export interface RunSummary {
  runId: string;
  scoredAt: string;
  partners: number;
  payers: number;
  byGrade: Record<Grade, number>;
  averageScore: number;
  /** isCompliant (graded A or B) over the partners scored in this run; 0..1. */
  compliantShare: number;
  compliantPartners: number;
  lockouts: { partners: number; payers: number; partnerIds: string[] };
  /** USD, last full month. */
  totalSpend: number;
  /** USD, last full month, of partners at risk (isAtRisk: locked out or failing a critical control). */
  spendAtRisk: number;
  /** Partners whose spend could not be read (counted as 0 above). */
  partnersWithoutSpend: number;
  topFailingControls: { controlId: string; title: string; severity: Severity; partners: number; payers: number }[];
  findings: Record<FindingStatus, number> & { total: number };
  /** Payers whose findings the payer jobs evaluated (the rest were evaluated here). */
  evaluatedAhead: number;
  durationMs: number;
}

/** Payers that failed collection without leaving evidence still count: as payers we could not reach. */
function evidenceForFailedPayer(rp: typeof runPayers.$inferSelect, collectedAt: Date): PayerEvidence {
  return {
    schemaVersion: 1,
    payerAccountId: rp.payerAccountId,
    partnerId: rp.partnerId,
    collectedAt: (rp.finishedAt ?? collectedAt).toISOString(),
    access: {
      status: 'error',
      api: 'sts:AssumeRole',
      errorCode: rp.errorCode ?? 'CollectionFailed',
      message: rp.errorMessage ?? 'collection failed before any evidence was recorded',
    },
  };
}

/** Raw SQL rows; both drivers (pg, PGlite) answer `execute` with `{ rows }`. */
async function rowsOf<T>(db: Db, q: SQL): Promise<T[]> {
  const res = (await db.execute(q)) as unknown as { rows: T[] };
  return res.rows;
}

const findingKey = (payer: string, controlId: string, resource: string) => `${payer}|${controlId}|${resource}`;
const isOpen = (s: string) => s === 'fail' || s === 'warn';

/**
 * Scores one collection run: evaluates every payer's evidence, applies suppressions, writes the run's findings,
 * one snapshot per partner and the run summary, and records each payer's access outcome. Safe to call again for the
 * same run: its findings and snapshots are replaced in one transaction.
 */
export async function scoreRun(db: Db, runId: string, opts: { now?: Date } = {}): Promise<RunSummary> {
  const started = Date.now();
  const [run] = await db.select().from(runs).where(eq(runs.id, runId));
  if (!run) throw new Error(`scoreRun: run "${runId}" does not exist`);

  const failedRows = await db
    .select()
    .from(runPayers)
    .where(and(eq(runPayers.runId, runId), eq(runPayers.status, 'failed')));
  const [latest] = await rowsOf<{ latest: string | Date | null }>(
    db,
    sql`select max(collected_at) as latest from evidence where run_id = ${runId}`,
  );
  const latestCollected = latest?.latest ? new Date(latest.latest) : undefined;
  const now = opts.now ?? latestCollected ?? run.finishedAt ?? run.startedAt ?? run.createdAt;

  const settings = await loadSettings(db);
  const activeSuppressions = await listSuppressions(db, { now });
  const payerRows = await db
    .select({ accountId: payers.accountId, lastAccessOkAt: payers.lastAccessOkAt })
    .from(payers);
  const lastOk = new Map(payerRows.map((p) => [p.accountId, p.lastAccessOkAt ?? undefined]));

  // ---- evaluate and score, a page of evidence at a time: only findings and a few figures per payer are kept, so a
  // run of thousands of payers (large ones are megabytes of IAM detail) never sits in memory whole.
  const byPartner = new Map<string, { findings: Finding[]; spends: ReturnType<typeof lastFullMonthSpend>[] }>();
  const accessOutcomes: AccessOutcome[] = [];
  // Evaluation is CPU-bound (policy simulation): hand the event loop back every ~50 ms so BullMQ can renew the run
  // job's lock, heartbeats keep beating and an API in the same process keeps answering on a large estate.
  let lastYield = performance.now();
  const fingerprint = evaluationFingerprint(settings);
  let evaluatedAhead = 0;
  const evaluate = async (ev: PayerEvidence, ahead?: Finding[]) => {
    if (performance.now() - lastYield > 50) {
      await setImmediate();
      lastYield = performance.now();
    }
    if (ahead) evaluatedAhead++;
    const found = ahead ?? evaluatePayer(ev, { settings, now, lastAccessOkAt: lastOk.get(ev.payerAccountId) });
    const entry = byPartner.get(ev.partnerId) ?? { findings: [], spends: [] };
    entry.findings.push(...applySuppressions(found, activeSuppressions, now));
    entry.spends.push(lastFullMonthSpend(ev, now));
    byPartner.set(ev.partnerId, entry);
    accessOutcomes.push({ payerAccountId: ev.payerAccountId, collectedAt: ev.collectedAt, access: ev.access });
  };
  const views = await payerViewBuilder(db, runId, settings, fingerprint);
  const seen = new Set<string>();
  for (let after = ''; ; ) {
    const page = await db
      .select({
        payerAccountId: evidenceTable.payerAccountId,
        partnerId: evidenceTable.partnerId,
        collectedAt: evidenceTable.collectedAt,
        data: evidenceTable.data,
        findings: evidenceTable.findings,
        evaluatedWith: evidenceTable.evaluatedWith,
      })
      .from(evidenceTable)
      .where(and(eq(evidenceTable.runId, runId), gt(evidenceTable.payerAccountId, after)))
      .orderBy(asc(evidenceTable.payerAccountId))
      .limit(EVIDENCE_PAGE);
    for (const r of page) {
      const d = (typeof r.data === 'object' && r.data !== null ? r.data : {}) as PayerEvidence;
      seen.add(r.payerAccountId);
      // The row's columns are authoritative for identity and time; the JSON may come from an older collector.
      // Findings the payer job evaluated with these same settings and controls are used as they are.
      const ahead =
        r.evaluatedWith === fingerprint && Array.isArray(r.findings) ? (r.findings as Finding[]) : undefined;
      const ev = {
        ...d,
        payerAccountId: r.payerAccountId,
        partnerId: r.partnerId,
        collectedAt: r.collectedAt.toISOString(),
      };
      await evaluate(ev, ahead);
      // The drill-down's view of this payer, unless the payer job stored it (same object: no second simulation).
      await views.add(ev);
    }
    if (page.length < EVIDENCE_PAGE) break;
    after = page[page.length - 1]!.payerAccountId;
  }
  for (const rp of failedRows) if (!seen.has(rp.payerAccountId)) await evaluate(evidenceForFailedPayer(rp, now));
  const partnerIds = [...byPartner.keys()].sort();

  // ---- previous snapshot per partner (by run order, so a re-score of an old run compares with ITS predecessor)
  const prevRows = partnerIds.length
    ? await rowsOf<{ id: string; partner_id: string; run_id: string; score: number; grade: Grade }>(
        db,
        sql`
          select distinct on (s.partner_id) s.id, s.partner_id, s.run_id, s.score, s.grade
          from snapshots s join runs r on r.id = s.run_id
          where s.partner_id = any(${sql.param(partnerIds)}::text[]) and s.run_id <> ${runId}
            and (r.created_at, r.id) < (${run.createdAt.toISOString()}::timestamptz, ${runId})
          order by s.partner_id, r.created_at desc, r.id desc`,
      )
    : [];
  const prevByPartner = new Map(prevRows.map((r) => [r.partner_id, r]));
  const prevOpen = new Map<
    string,
    Map<
      string,
      { status: string; severity: Severity; message: string; controlId: string; payer: string; resource: string }
    >
  >();
  if (prevRows.length) {
    const rows = await rowsOf<{
      partner_id: string;
      payer_account_id: string;
      control_id: string;
      resource: string;
      status: string;
      severity: Severity;
      message: string;
    }>(
      db,
      sql`
        select f.partner_id, f.payer_account_id, f.control_id, f.resource, f.status, f.severity, f.message
        from findings f
        join unnest(${sql.param(prevRows.map((r) => r.run_id))}::text[], ${sql.param(prevRows.map((r) => r.partner_id))}::text[]) as p(run_id, partner_id)
          on f.run_id = p.run_id and f.partner_id = p.partner_id
        where f.status in ('fail', 'warn')`,
    );
    for (const r of rows) {
      const m = prevOpen.get(r.partner_id) ?? new Map();
      m.set(findingKey(r.payer_account_id, r.control_id, r.resource), {
        status: r.status,
        severity: r.severity,
        message: r.message,
        controlId: r.control_id,
        payer: r.payer_account_id,
        resource: r.resource,
      });
      prevOpen.set(r.partner_id, m);
    }
  }

  // ---- snapshots and summary figures
  const snapshotRows: (typeof snapshots.$inferInsert)[] = [];
  const byGrade: Record<Grade, number> = { A: 0, B: 0, C: 0, D: 0, F: 0 };
  const failingControls = new Map<
    string,
    { partners: Set<string>; payers: Set<string>; severity: Severity; title: string }
  >();
  const findingTotals = { pass: 0, fail: 0, warn: 0, unknown: 0, suppressed: 0, total: 0 };
  let totalSpend = 0;
  let spendAtRisk = 0;
  let partnersWithoutSpend = 0;
  let scoreSum = 0;
  let compliantPartners = 0;
  const lockedPartners: string[] = [];
  let lockedPayers = 0;

  for (const partnerId of partnerIds) {
    const { findings: pf, spends } = byPartner.get(partnerId)!;
    const score: PartnerScore = scorePartner(pf);
    const known = spends.filter((s): s is NonNullable<typeof s> => s !== null);
    const monthlySpend = known.length ? Math.round(known.reduce((n, s) => n + s.amount, 0) * 100) / 100 : null;
    const payersLockedOut = pf.filter((f) => f.controlId === 'ACCESS-COLLECTOR-ROLE' && f.status === 'fail').length;

    const prev = prevByPartner.get(partnerId);
    const before = prevOpen.get(partnerId) ?? new Map();
    const nowByKey = new Map(pf.map((f) => [findingKey(f.payerAccountId, f.controlId, f.resource), f]));
    const newList: FindingChange[] = [];
    const resolvedList: FindingChange[] = [];
    if (prev) {
      for (const [k, f] of nowByKey) {
        if (isOpen(f.status) && !before.has(k))
          newList.push({
            controlId: f.controlId,
            payerAccountId: f.payerAccountId,
            resource: f.resource,
            severity: f.severity,
            message: f.message,
            status: f.status,
          });
      }
      for (const [k, b] of before) {
        const nowF = nowByKey.get(k);
        if (!nowF || !isOpen(nowF.status))
          resolvedList.push({
            controlId: b.controlId,
            payerAccountId: b.payer,
            resource: b.resource,
            severity: b.severity,
            message: b.message,
            status: b.status as FindingStatus,
            nowStatus: nowF?.status ?? 'absent',
          });
      }
    }
    const changes: SnapshotChanges = {
      baseline: !prev,
      previousScore: prev?.score ?? null,
      previousGrade: prev?.grade ?? null,
      scoreDelta: prev ? score.score - prev.score : null,
      newCount: newList.length,
      resolvedCount: resolvedList.length,
      new: newList.slice(0, CHANGE_LIST_MAX),
      resolved: resolvedList.slice(0, CHANGE_LIST_MAX),
    };
    snapshotRows.push({
      id: `snap_${runId}_${partnerId}`,
      partnerId,
      runId,
      takenAt: now,
      score: score.score,
      grade: score.grade,
      counts: { ...score.counts, payers: spends.length, payersLockedOut },
      criticalFailures: score.criticalFailures,
      lockedOut: score.lockedOut,
      monthlySpend,
      changes,
      previousSnapshotId: prev?.id ?? null,
    });

    byGrade[score.grade] += 1;
    scoreSum += score.score;
    if (isCompliant(score)) compliantPartners += 1;
    if (score.lockedOut) lockedPartners.push(partnerId);
    lockedPayers += payersLockedOut;
    if (monthlySpend === null) partnersWithoutSpend += 1;
    totalSpend += monthlySpend ?? 0;
    if (isAtRisk(score)) spendAtRisk += monthlySpend ?? 0;
    for (const f of pf) {
      findingTotals[f.status] += 1;
      findingTotals.total += 1;
      if (f.status !== 'fail') continue;
      const c = failingControls.get(f.controlId) ?? {
        partners: new Set(),
        payers: new Set(),
        severity: f.severity,
        title: f.title,
      };
      c.partners.add(partnerId);
      c.payers.add(f.payerAccountId);
      failingControls.set(f.controlId, c);
    }
  }

  const summary: RunSummary = {
    runId,
    scoredAt: now.toISOString(),
    partners: partnerIds.length,
    payers: accessOutcomes.length,
    byGrade,
    averageScore: partnerIds.length ? Math.round((scoreSum / partnerIds.length) * 10) / 10 : 0,
    compliantShare: compliantShare(snapshotRows) ?? 0,
    compliantPartners,
    lockouts: { partners: lockedPartners.length, payers: lockedPayers, partnerIds: lockedPartners.slice(0, 100) },
    totalSpend: Math.round(totalSpend * 100) / 100,
    spendAtRisk: Math.round(spendAtRisk * 100) / 100,
    partnersWithoutSpend,
    topFailingControls: [...failingControls.entries()]
      .map(([controlId, c]) => ({
        controlId,
        title: c.title,
        severity: controlById(controlId)?.severity ?? c.severity,
        partners: c.partners.size,
        payers: c.payers.size,
      }))
      .sort((a, b) => b.partners - a.partners || b.payers - a.payers || a.controlId.localeCompare(b.controlId))
      .slice(0, 10),
    findings: findingTotals,
    evaluatedAhead,
    durationMs: 0,
  };

  const allFindings = partnerIds.flatMap((p) => byPartner.get(p)!.findings);
  await db.transaction(async (tx) => {
    // Two scorings of one run (a retried parent job) must not interleave their delete-and-rewrite.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`payerguard:score:${runId}`}))`);
    await tx.delete(findingsTable).where(eq(findingsTable.runId, runId));
    await tx.delete(snapshots).where(eq(snapshots.runId, runId));
    for (let i = 0; i < allFindings.length; i += CHUNK)
      await insertFindings(tx as unknown as Db, runId, allFindings.slice(i, i + CHUNK));
    for (let i = 0; i < snapshotRows.length; i += CHUNK)
      await insertSnapshots(tx as unknown as Db, snapshotRows.slice(i, i + CHUNK));
    await recordAccess(tx as unknown as Db, accessOutcomes);
    summary.durationMs = Date.now() - started;
    await tx.update(runs).set({ summary }).where(eq(runs.id, runId));
  });
  await prunePayerViews(db, partnerIds);
  return summary;
}

async function insertFindings(db: Db, runId: string, rows: Finding[]): Promise<void> {
  if (!rows.length) return;
  const col = <T>(f: (r: Finding) => T) => sql.param(rows.map(f));
  await db.execute(sql`
    insert into findings (run_id, partner_id, payer_account_id, control_id, resource, status, severity, title, message, evidence, suppression_id)
    select ${runId}, t.partner_id, t.payer_account_id, t.control_id, t.resource, t.status, t.severity, t.title, t.message, t.evidence::jsonb, t.suppression_id
    from unnest(
      ${col((r) => r.partnerId)}::text[], ${col((r) => r.payerAccountId)}::text[], ${col((r) => r.controlId)}::text[],
      ${col((r) => r.resource)}::text[], ${col((r) => r.status)}::text[], ${col((r) => r.severity)}::text[],
      ${col((r) => r.title)}::text[], ${col((r) => r.message)}::text[], ${col((r) => JSON.stringify(r.evidence))}::text[],
      ${col((r) => r.suppressionId ?? null)}::text[]
    ) as t(partner_id, payer_account_id, control_id, resource, status, severity, title, message, evidence, suppression_id)`);
}

async function insertSnapshots(db: Db, rows: (typeof snapshots.$inferInsert)[]): Promise<void> {
  if (!rows.length) return;
  const col = <T>(f: (r: typeof snapshots.$inferInsert) => T) => sql.param(rows.map(f));
  await db.execute(sql`
    insert into snapshots (id, partner_id, run_id, taken_at, score, grade, counts, critical_failures, locked_out, monthly_spend, changes, previous_snapshot_id)
    select t.id, t.partner_id, t.run_id, t.taken_at, t.score, t.grade, t.counts::jsonb, t.critical_failures::jsonb, t.locked_out, t.monthly_spend, t.changes::jsonb, t.previous_snapshot_id
    from unnest(
      ${col((r) => r.id)}::text[], ${col((r) => r.partnerId)}::text[], ${col((r) => r.runId)}::text[],
      ${col((r) => r.takenAt.toISOString())}::timestamptz[], ${col((r) => r.score)}::int[], ${col((r) => r.grade)}::text[],
      ${col((r) => JSON.stringify(r.counts))}::text[], ${col((r) => JSON.stringify(r.criticalFailures))}::text[],
      ${col((r) => r.lockedOut)}::boolean[], ${col((r) => r.monthlySpend ?? null)}::float8[],
      ${col((r) => JSON.stringify(r.changes))}::text[], ${col((r) => r.previousSnapshotId ?? null)}::text[]
    ) as t(id, partner_id, run_id, taken_at, score, grade, counts, critical_failures, locked_out, monthly_spend, changes, previous_snapshot_id)`);
}

/**
 * Carries this run's access outcome onto the payer registry. Guarded by time so re-scoring an older run never
 * overwrites what a newer run recorded.
 */
type AccessOutcome = Pick<PayerEvidence, 'payerAccountId' | 'collectedAt' | 'access'>;
const EVIDENCE_PAGE = 100;

async function recordAccess(db: Db, evs: AccessOutcome[]): Promise<void> {
  const ok = evs.filter((e) => e.access?.status === 'ok');
  const failed = evs.filter((e) => e.access?.status !== 'ok');
  if (ok.length) {
    await db.execute(sql`
      update payers p set last_access_ok_at = t.at, last_access_error = null
      from unnest(${sql.param(ok.map((e) => e.payerAccountId))}::text[], ${sql.param(ok.map((e) => e.collectedAt))}::timestamptz[]) as t(id, at)
      where p.account_id = t.id and (p.last_access_ok_at is null or p.last_access_ok_at <= t.at)`);
  }
  if (failed.length) {
    const errorOf = (e: AccessOutcome) => {
      const a = e.access;
      const text = a && a.status !== 'ok' ? `${a.errorCode}: ${a.message}` : 'no access evidence';
      return text.slice(0, 1000);
    };
    await db.execute(sql`
      update payers p set last_access_error = t.err
      from unnest(${sql.param(failed.map((e) => e.payerAccountId))}::text[], ${sql.param(failed.map((e) => e.collectedAt))}::timestamptz[], ${sql.param(failed.map(errorOf))}::text[]) as t(id, at, err)
      where p.account_id = t.id and (p.last_access_ok_at is null or p.last_access_ok_at < t.at)`);
  }
}

// ------------------------------------------------------------------ read helpers for the API

export type SnapshotRow = typeof snapshots.$inferSelect;
export type StoredFinding = typeof findingsTable.$inferSelect & { remediation: string; category: string | null };

/** The latest snapshot of every partner (or of the given ones) with the partner's name, ordered by partner id. */
export async function latestSnapshots(
  db: Db,
  opts: { partnerIds?: string[] } = {},
): Promise<(SnapshotRow & { partnerName: string | null })[]> {
  const filter = opts.partnerIds ? sql`where s.partner_id = any(${sql.param(opts.partnerIds)}::text[])` : sql``;
  const latest = await rowsOf<{ id: string }>(
    db,
    sql`select distinct on (s.partner_id) s.id from snapshots s ${filter} order by s.partner_id, s.taken_at desc, s.id desc`,
  );
  const ids = latest.map((r) => r.id);
  if (!ids.length) return [];
  const rows = await db
    .select({ s: snapshots, partnerName: partners.name })
    .from(snapshots)
    .leftJoin(partners, eq(partners.id, snapshots.partnerId))
    .where(sql`${snapshots.id} = any(${sql.param(ids)}::text[])`)
    .orderBy(asc(snapshots.partnerId));
  return rows.map((r) => ({ ...r.s, partnerName: r.partnerName }));
}

/** A partner's snapshots, oldest first (the history chart). */
export async function partnerHistory(db: Db, partnerId: string, opts: { limit?: number } = {}): Promise<SnapshotRow[]> {
  const limit = Math.min(Math.max(opts.limit ?? 365, 1), 5_000);
  const rows = await db
    .select()
    .from(snapshots)
    .where(eq(snapshots.partnerId, partnerId))
    .orderBy(desc(snapshots.takenAt), desc(snapshots.id))
    .limit(limit);
  return rows.reverse();
}

/**
 * A partner's findings in one run (default: the run of its latest snapshot), worst first, each with the control's
 * remediation (kept in the catalogue, not copied into every stored row).
 */
export async function findingsForPartner(db: Db, partnerId: string, runId?: string): Promise<StoredFinding[]> {
  let rid = runId;
  if (!rid) {
    const [latest] = await db
      .select({ runId: snapshots.runId })
      .from(snapshots)
      .where(eq(snapshots.partnerId, partnerId))
      .orderBy(desc(snapshots.takenAt), desc(snapshots.id))
      .limit(1);
    if (!latest) return [];
    rid = latest.runId;
  }
  const rows = await db
    .select()
    .from(findingsTable)
    .where(and(eq(findingsTable.runId, rid), eq(findingsTable.partnerId, partnerId)))
    .orderBy(asc(findingsTable.id));
  const statusRank: Record<string, number> = { fail: 0, unknown: 1, warn: 2, suppressed: 3, pass: 4 };
  const sevRank: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
  return rows
    .map((f) => {
      const c = controlById(f.controlId);
      return { ...f, remediation: c?.remediation ?? '', category: c?.category ?? null };
    })
    .sort(
      (a, b) =>
        (statusRank[a.status] ?? 9) - (statusRank[b.status] ?? 9) ||
        (sevRank[a.severity] ?? 9) - (sevRank[b.severity] ?? 9) ||
        a.id - b.id,
    );
}
