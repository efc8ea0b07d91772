import {
  boundaryArnFor,
  type Call,
  type Db,
  type DistributorSettings,
  isOk,
  type PayerEvidence,
  schema,
} from '@payerguard/core';
import type { ControlMeta } from '@payerguard/core/controls/types';
import { analyzePayerCached, type PayerAnalysis } from '@payerguard/core/policy/analyze';
import { rootAccessTrail } from '@payerguard/core/root-windows/trail';
import { and, asc, desc, eq, gt, isNull } from 'drizzle-orm';

const domainOf = (email: string) => email.split('@')[1]?.toLowerCase() ?? '';

function callStatus(c: Call<unknown> | undefined) {
  if (!c) return { status: 'not collected' };
  return c.status === 'ok'
    ? { status: 'ok', api: c.api }
    : { status: c.status, api: c.api, errorCode: c.errorCode, message: c.message };
}

function isDistributorPrincipal(
  s: DistributorSettings,
  p: { name: string; path: string; tags: Record<string, string> },
) {
  const d = s.distributorPrincipals;
  return d.paths.includes(p.path) || d.names.includes(p.name) || d.tags.some((t) => p.tags?.[t.key] === t.value);
}

/** What one payer's evidence says about members, principals, root events and which calls could not be made. */
export function fromEvidence(ev: PayerEvidence, s: DistributorSettings, spend: boolean) {
  const domains = new Set(s.domains.map((d) => d.toLowerCase()));
  const accounts = ev.organizations?.accounts;
  const memberAccounts = isOk(accounts)
    ? accounts.data.map((a) => ({
        payerAccountId: ev.payerAccountId,
        id: a.id,
        name: a.name,
        email: a.email,
        emailDomain: domainOf(a.email),
        onDistributorDomain: domains.has(domainOf(a.email)),
        status: a.status,
        joinedMethod: a.joinedMethod,
        joinedTimestamp: a.joinedTimestamp,
        isPayer: a.id === ev.payerAccountId,
      }))
    : [];
  const auth = ev.iam?.authorizationDetails;
  const boundaryArn = boundaryArnFor(s, ev.payerAccountId);
  // The policy engine's verdict per principal (boundary, open escalation paths); the evidence alone when it fails.
  let analysis: PayerAnalysis | null = null;
  let analysisError: string | null = null;
  if (isOk(auth)) {
    try {
      analysis = analyzePayerCached(ev, s);
    } catch (e) {
      analysisError = (e as Error).message;
    }
  }
  const byArn = new Map(analysis?.principals.map((p) => [p.arn, p]) ?? []);
  const principals = isOk(auth)
    ? [
        ...auth.data.users.map((u) => ({ type: 'user' as const, ...u })),
        ...auth.data.roles.map((r) => ({ type: 'role' as const, ...r })),
      ]
        .map((p) => {
          const a = byArn.get(p.arn);
          return {
            payerAccountId: ev.payerAccountId,
            type: p.type,
            arn: p.arn,
            name: p.name,
            path: p.path,
            permissionsBoundaryArn: p.permissionsBoundaryArn ?? null,
            hasDistributorBoundary: p.permissionsBoundaryArn === boundaryArn,
            distributorOwned: a?.isDistributorOwned ?? isDistributorPrincipal(s, p),
            serviceLinked: a?.isServiceLinked ?? p.path.startsWith('/aws-service-role/'),
            canAdministerIam: a?.canAdministerIam ?? null,
            openPaths: a?.openPaths.length ?? null,
            attachedPolicies: p.attachedPolicies.map((x) => x.name),
          };
        })
        .filter((p) => !p.serviceLinked)
    : [];
  // Several routes of one method can open on the same call (they differ only in the request tags tried): a person
  // reads one path, so paths that read the same are listed once.
  const seenPaths = new Set<string>();
  const escalationPaths = (analysis?.principals ?? []).flatMap((p) =>
    p.openPaths
      .filter((o) => {
        const key = JSON.stringify([p.arn, o.methodId, o.action, o.resource, o.requestContext ?? '', o.explanation]);
        if (seenPaths.has(key)) return false;
        seenPaths.add(key);
        return true;
      })
      .map((o) => ({
        payerAccountId: ev.payerAccountId,
        principalArn: p.arn,
        principalName: p.name,
        hasDistributorBoundary: p.hasDistributorBoundary,
        methodId: o.methodId,
        title: o.title,
        action: o.action,
        resource: o.resource,
        explanation: o.explanation,
        decidingStatements: o.decidingStatements,
        steps: o.steps,
        ...(o.requestContext ? { requestContext: o.requestContext } : {}),
      })),
  );
  const re = ev.cloudtrail?.rootEvents;
  const rootEvents = isOk(re) ? re.data.map((e) => ({ payerAccountId: ev.payerAccountId, ...e })) : [];
  const calls: Record<string, unknown> = {
    access: callStatus(ev.access),
    billingRole: callStatus(ev.billingRole),
    'organizations.organization': callStatus(ev.organizations?.organization),
    'organizations.accounts': callStatus(ev.organizations?.accounts),
    'account.contactInformation': callStatus(ev.account?.contactInformation),
    'iam.accountSummary': callStatus(ev.iam?.accountSummary),
    'iam.virtualMfaDevices': callStatus(ev.iam?.virtualMfaDevices),
    'iam.credentialReport': callStatus(ev.iam?.credentialReport),
    'iam.organizationsFeatures': callStatus(ev.iam?.organizationsFeatures),
    'iam.authorizationDetails': callStatus(ev.iam?.authorizationDetails),
    'cloudtrail.rootEvents': callStatus(ev.cloudtrail?.rootEvents),
    'cloudtrail.trails': callStatus(ev.cloudtrail?.trails),
    'eventbridge.rules': callStatus(ev.eventbridge?.rules),
    ...(spend ? { 'costExplorer.monthlySpend': callStatus(ev.costExplorer?.monthlySpend) } : {}),
  };
  const org = ev.organizations?.organization;
  return {
    memberAccounts,
    principals,
    escalationPaths,
    rootEvents,
    payer: {
      accountId: ev.payerAccountId,
      collectedAt: ev.collectedAt,
      managementEmail: isOk(org) ? org.data.masterAccountEmail : null,
      managementEmailOnDistributorDomain: isOk(org) ? domains.has(domainOf(org.data.masterAccountEmail)) : null,
      boundaryPresent: analysis?.boundaryPresent ?? null,
      /** What a partner administrator fenced by the deployed boundary could still do. */
      fencedAdminOpenPaths: analysis?.adminOpenPaths ?? null,
      policyAnalysisError: analysisError,
      calls,
    },
  };
}

export async function partnerDrilldown(
  db: Db,
  partnerId: string,
  opts: { settings: DistributorSettings; catalogue: Map<string, ControlMeta>; spend: boolean; historyLimit: number },
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
  const evidenceRows = runId
    ? await db
        .select({ data: schema.evidence.data })
        .from(schema.evidence)
        .where(and(eq(schema.evidence.runId, runId), eq(schema.evidence.partnerId, partnerId)))
    : [];
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
  const perPayer = evidenceRows.map((r) => fromEvidence(r.data as PayerEvidence, opts.settings, opts.spend));
  const principals = perPayer.flatMap((p) => p.principals);
  const partnerPrincipals = principals.filter((p) => !p.distributorOwned);
  const covered = partnerPrincipals.filter((p) => p.hasDistributorBoundary).length;
  const principalsWithPaths = principals.filter((p) => (p.openPaths ?? 0) > 0).length;
  return {
    partner: { id: partner.id, name: partner.name, tags: partner.tags, createdAt: partner.createdAt.toISOString() },
    payers: payers.map((p) => ({
      ...p,
      createdAt: p.createdAt.toISOString(),
      lastAccessOkAt: p.lastAccessOkAt?.toISOString() ?? null,
      evidence: perPayer.find((x) => x.payer.accountId === p.accountId)?.payer ?? null,
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
    memberAccounts: perPayer.flatMap((p) => p.memberAccounts),
    principals,
    boundaryCoverage: {
      principals: principals.length,
      distributorOwned: principals.length - partnerPrincipals.length,
      partnerPrincipals: partnerPrincipals.length,
      covered,
      uncovered: partnerPrincipals.length - covered,
      share: partnerPrincipals.length ? Math.round((covered / partnerPrincipals.length) * 1000) / 1000 : null,
      principalsWithOpenPaths: principalsWithPaths,
    },
    escalationPaths: perPayer.flatMap((p) => p.escalationPaths),
    rootEvents: perPayer.flatMap((p) => p.rootEvents).sort((a, b) => b.eventTime.localeCompare(a.eventTime)),
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
