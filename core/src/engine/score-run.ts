import { setImmediate } from 'node:timers/promises';
import { and, asc, desc, eq, gt, type SQL, sql } from 'drizzle-orm';
import { controlById } from '../controls/all-controls.js';
import type { Finding, Severity } from '../controls/types.js';
import type { Db } from '../db/index.js';
import {
  evidence as evidenceTable,
  findings as findingsTable,
  partnerLatest,
  partners,
  payers,
  runPayers,
  runs,
  snapshots,
} from '../db/schema.js';
import { purgeEvidence } from '../evidence/retention.js';
import type { PayerEvidence } from '../evidence/types.js';
import { payerViewBuilder } from '../read-model/build-payer-view.js';
import { prunePayerViews } from '../read-model/payer-views-store.js';
import { LIVE_EVENT_TRIGGER } from '../root-events/trigger.js';
import { loadSettings } from '../settings-store.js';
import { evaluatePayer, evaluationFingerprint } from './evaluate.js';
import {
  aggregateRun,
  findingKey,
  type PartnerEvaluation,
  type PreviousState,
  type RunSummary,
} from './score-aggregate.js';
import { type AccessOutcome, persistRun } from './score-persist.js';
import type { Grade } from './scoring.js';
import { lastFullMonthSpend } from './spend.js';
import { applySuppressions, listSuppressions } from './suppressions.js';

/** Evidence rows read per page while scoring. */
const EVIDENCE_PAGE = 100;

export type { FindingChange, RunSummary, SnapshotChanges } from './score-aggregate.js';

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
  const byPartner = new Map<string, PartnerEvaluation>();
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
  const previous = new Map<string, PreviousState>(
    prevRows.map((r) => [r.partner_id, { id: r.id, score: r.score, grade: r.grade, open: new Map() }]),
  );
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
    for (const r of rows)
      previous.get(r.partner_id)?.open.set(findingKey(r.payer_account_id, r.control_id, r.resource), {
        status: r.status,
        severity: r.severity,
        message: r.message,
        controlId: r.control_id,
        payer: r.payer_account_id,
        resource: r.resource,
      });
  }

  const agg = aggregateRun({ runId, now, byPartner, previous, payers: accessOutcomes.length, evaluatedAhead });
  await persistRun(db, runId, agg, accessOutcomes, {
    started,
    live: run.trigger === LIVE_EVENT_TRIGGER,
    previousRunIds: prevRows.map((r) => r.run_id),
  });
  // Views no partner's latest snapshot refers to any more go: the drill-down shows the latest only.
  await prunePayerViews(db, partnerIds);
  // Retention is measured against the clock, not the run's time: re-scoring an old run purges nothing extra.
  await purgeEvidence(db, { now: new Date(), retentionDays: settings.evidenceRetentionDays });
  return agg.summary;
}

// ------------------------------------------------------------------ read helpers for the API

export type SnapshotRow = typeof snapshots.$inferSelect;
export type StoredFinding = typeof findingsTable.$inferSelect & { remediation: string; category: string | null };

/**
 * The latest snapshot of every partner (or of the given ones) with the partner's name, ordered by partner id: read
 * through partner_latest, so its cost does not grow with history.
 */
export async function latestSnapshots(
  db: Db,
  opts: { partnerIds?: string[] } = {},
): Promise<(SnapshotRow & { partnerName: string | null })[]> {
  const q = db
    .select({ s: snapshots, partnerName: partners.name })
    .from(partnerLatest)
    .innerJoin(snapshots, eq(snapshots.id, partnerLatest.snapshotId))
    .innerJoin(partners, eq(partners.id, partnerLatest.partnerId))
    .orderBy(asc(partnerLatest.partnerId));
  const rows = await (opts.partnerIds
    ? q.where(sql`${partnerLatest.partnerId} = any(${sql.param(opts.partnerIds)}::text[])`)
    : q);
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
      .select({ runId: partnerLatest.runId })
      .from(partnerLatest)
      .where(eq(partnerLatest.partnerId, partnerId));
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
