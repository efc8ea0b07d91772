import type { ControlMeta } from '../../controls/types.js';
import { toView } from '../../root-windows/store.js';
import { buildTrail } from '../../root-windows/trail.js';
import { partnerBoundaryCoverage, payerSummaryFor } from '../payer-view.js';
import type { DrilldownRows } from './rows.js';

/**
 * The per-payer part of the drill-down (member accounts, principals, escalation paths, boundary coverage, root
 * events, evidence call status) is read from the views the payer job built beside the findings: nothing is simulated
 * or re-derived here, so the page says what the findings say.
 */

/** How many snapshots of history a drill-down shows unless asked for another number. */
export const DRILLDOWN_HISTORY_DEFAULT = 90;

/**
 * The controls' metadata (core's CONTROL_METADATA), passed in: loading the controls would load the policy engine,
 * and the drill-down must not even import it (test/src/drilldown-views.test.ts).
 */
export type Catalogue = ReadonlyMap<string, Pick<ControlMeta, 'category' | 'remediation' | 'references'>>;

export type PartnerDrilldown = ReturnType<typeof drilldownFromRows>;

/** The drill-down from its rows: pure, so one read can give both the staff body and the partner viewer's. */
export function drilldownFromRows(rows: DrilldownRows, opts: { catalogue: Catalogue; spend: boolean; now: Date }) {
  const { now } = opts;
  const { partner, payers, history, findings: findingRows, views, suppressions } = rows;
  const latest = history[0] ?? null;
  const runId = latest?.runId ?? null;

  const findings = findingRows.map((f) => {
    const meta = opts.catalogue.get(f.controlId);
    return {
      id: f.id,
      controlId: f.controlId,
      title: f.title,
      category: meta?.category ?? null,
      severity: f.severity,
      status: f.status,
      payerAccountId: f.payerAccountId,
      resource: f.resource,
      message: f.message,
      evidence: f.evidence,
      remediation: meta?.remediation ?? null,
      references: meta?.references ?? [],
      suppressionId: f.suppressionId,
    };
  });
  const principals = views.flatMap((v) => v.principals);
  return {
    partner: { id: partner.id, name: partner.name, tags: partner.tags, createdAt: partner.createdAt.toISOString() },
    payers: payers.map((p) => ({
      ...p,
      createdAt: p.createdAt.toISOString(),
      lastAccessOkAt: p.lastAccessOkAt?.toISOString() ?? null,
      evidence: (() => {
        const v = views.find((x) => x.payerAccountId === p.accountId);
        return v ? payerSummaryFor(v, opts.spend) : null;
      })(),
    })),
    snapshot: latest
      ? {
          id: latest.id,
          runId: latest.runId,
          takenAt: latest.takenAt.toISOString(),
          score: latest.score,
          grade: latest.grade,
          counts: latest.counts,
          lockedOut: latest.lockedOut,
          failingCriticalControls: latest.criticalFailures,
          ...(opts.spend ? { monthlySpend: latest.monthlySpend } : {}),
        }
      : null,
    changes: latest?.changes ?? null,
    findings,
    memberAccounts: views.flatMap((v) => v.memberAccounts),
    principals,
    boundaryCoverage: partnerBoundaryCoverage(views),
    escalationPaths: views.flatMap((v) => v.escalationPaths),
    rootEvents: views
      .flatMap((v) => v.rootEvents)
      .sort((a, b) => String(b.eventTime).localeCompare(String(a.eventTime))),
    // Runs scored before payer views existed have none: their details arrive with the next run, never simulated here.
    detailsWithNextRun: !!runId && views.length === 0,
    history: history
      .map((h) => ({
        runId: h.runId,
        takenAt: h.takenAt.toISOString(),
        score: h.score,
        grade: h.grade,
        lockedOut: h.lockedOut,
      }))
      .reverse(),
    rootAccess: buildTrail(
      rows.windows.map((w) => toView(w, now)),
      findingRows,
    ),
    suppressions: suppressions.map((s) => ({
      id: s.id,
      controlId: s.controlId,
      resource: s.resource,
      reason: s.reason,
      approver: s.approver,
      expiresAt: s.expiresAt.toISOString(),
      // Who asked, when, and whether a second admin still has to approve (pending ones change no verdict).
      status: s.approvedAt ? ('active' as const) : ('pending' as const),
      createdBy: s.createdBy,
      createdAt: s.createdAt.toISOString(),
      approvedAt: s.approvedAt?.toISOString() ?? null,
      secondApprover: s.secondApprover,
    })),
  };
}
