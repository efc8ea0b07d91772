import { type Db, schema } from '@payerguard/core';
import type { ControlMeta } from '@payerguard/core/controls/types';
import { partnerBoundaryCoverage, payerSummaryFor } from '@payerguard/core/read-model/payer-view';
import { payerViewsFor } from '@payerguard/core/read-model/payer-views-store';
import { rootAccessTrail } from '@payerguard/core/root-windows/trail';
import { and, asc, desc, eq, gt, isNull } from 'drizzle-orm';

/**
 * The per-payer part of the drill-down (member accounts, principals, escalation paths, boundary coverage, root
 * events, evidence call status) is read from the views the payer job built beside the findings: nothing is simulated
 * or re-derived here, so the page says what the findings say.
 */

export async function partnerDrilldown(
  db: Db,
  partnerId: string,
  opts: { catalogue: Map<string, ControlMeta>; spend: boolean; historyLimit: number },
) {
  const [partner] = await db.select().from(schema.partners).where(eq(schema.partners.id, partnerId));
  if (!partner) return null;
  const payers = await db
    .select({
      accountId: schema.payers.accountId,
      roleArn: schema.payers.roleArn,
      createdAt: schema.payers.createdAt,
      lastAccessOkAt: schema.payers.lastAccessOkAt,
      lastAccessError: schema.payers.lastAccessError,
    })
    .from(schema.payers)
    .where(eq(schema.payers.partnerId, partnerId))
    .orderBy(asc(schema.payers.accountId));
  const history = await db
    .select()
    .from(schema.snapshots)
    .where(eq(schema.snapshots.partnerId, partnerId))
    .orderBy(desc(schema.snapshots.takenAt))
    .limit(opts.historyLimit);
  const latest = history[0] ?? null;
  const runId = latest?.runId ?? null;
  const findingRows = runId
    ? await db
        .select()
        .from(schema.findings)
        .where(and(eq(schema.findings.runId, runId), eq(schema.findings.partnerId, partnerId)))
        .orderBy(asc(schema.findings.controlId), asc(schema.findings.resource))
    : [];
  const views = runId ? await payerViewsFor(db, runId, partnerId) : [];
  const suppressions = await db
    .select()
    .from(schema.suppressions)
    .where(
      and(
        eq(schema.suppressions.partnerId, partnerId),
        isNull(schema.suppressions.revokedAt),
        gt(schema.suppressions.expiresAt, new Date()),
      ),
    );

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
    rootAccess: await rootAccessTrail(db, partnerId, findingRows),
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
