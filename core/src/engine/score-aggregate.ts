import { controlById } from '../controls/all-controls.js';
import type { Finding, FindingStatus, Severity } from '../controls/types.js';
import type { snapshots } from '../db/schema.js';
import { type Grade, type PartnerScore, scorePartner } from './scoring.js';
import type { lastFullMonthSpend } from './spend.js';
import { compliantShare, isAtRisk, isCompliant } from './standing.js';

/**
 * The aggregate step of scoring a run: pure, from each partner's evaluated (and suppression-applied) findings to its
 * snapshot, the changes since its previous snapshot, the run summary and the run's trend point. No database here;
 * score-persist.ts writes what this returns.
 */

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

/** A partner's previous snapshot (by run order) and its open findings keyed by findingKey. */
export interface PreviousState {
  id: string;
  score: number;
  grade: Grade;
  open: Map<
    string,
    { status: string; severity: Severity; message: string; controlId: string; payer: string; resource: string }
  >;
}

export interface PartnerEvaluation {
  findings: Finding[];
  spends: ReturnType<typeof lastFullMonthSpend>[];
}

export type SnapshotInsert = typeof snapshots.$inferInsert;

/** The run's point in the estate trend (the overview reads these rows, not the snapshots). */
export interface RunScorePoint {
  partners: number;
  averageScore: number;
  lockouts: number;
  spendAtRisk: number;
}

export interface RunAggregate {
  snapshots: SnapshotInsert[];
  /** Every finding of the run in scoring order (partner by partner). */
  findings: Finding[];
  summary: RunSummary;
  point: RunScorePoint;
}

export const findingKey = (payer: string, controlId: string, resource: string) => `${payer}|${controlId}|${resource}`;
const isOpen = (s: string) => s === 'fail' || s === 'warn';

export function aggregateRun(input: {
  runId: string;
  now: Date;
  byPartner: Map<string, PartnerEvaluation>;
  previous: Map<string, PreviousState>;
  payers: number;
  evaluatedAhead: number;
}): RunAggregate {
  const { runId, now, byPartner } = input;
  const partnerIds = [...byPartner.keys()].sort();
  const snapshotRows: SnapshotInsert[] = [];
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
  // The trend point keeps the estate trend's own definition (locked out or failing a critical control).

  for (const partnerId of partnerIds) {
    const { findings: pf, spends } = byPartner.get(partnerId)!;
    const score: PartnerScore = scorePartner(pf);
    const known = spends.filter((s): s is NonNullable<typeof s> => s !== null);
    const monthlySpend = known.length ? Math.round(known.reduce((n, s) => n + s.amount, 0) * 100) / 100 : null;
    const payersLockedOut = pf.filter((f) => f.controlId === 'ACCESS-COLLECTOR-ROLE' && f.status === 'fail').length;

    const prev = input.previous.get(partnerId);
    const before = prev?.open ?? new Map();
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
    payers: input.payers,
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
    evaluatedAhead: input.evaluatedAhead,
    durationMs: 0,
  };
  return {
    snapshots: snapshotRows,
    findings: partnerIds.flatMap((p) => byPartner.get(p)!.findings),
    summary,
    point: {
      partners: partnerIds.length,
      averageScore: partnerIds.length ? scoreSum / partnerIds.length : 0,
      lockouts: lockedPartners.length,
      spendAtRisk,
    },
  };
}
