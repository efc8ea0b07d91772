import { emailDomain, isDistributorDomain } from '../controls/helpers.js';
import type { Db } from '../db/index.js';
import type { Call, PayerEvidence } from '../evidence/types.js';
import { analyzePayerCached, isDistributorOwned, isServiceLinkedPath, type PayerAnalysis } from '../policy/analyze.js';
import { boundaryArnFor, type DistributorSettings } from '../settings.js';
import {
  type CallState,
  type EscalationPathView,
  type MemberAccountView,
  PAYER_VIEW_SCHEMA_VERSION,
  type PayerView,
  type PrincipalView,
  SPEND_CALL,
} from './payer-view.js';
import { payerViewsReady, storePayerView } from './payer-views-store.js';

/**
 * Builds payer views (payer-view.ts) in the payer job's evaluation thread and, for payers that arrive without one, in
 * scoreRun: from the evidence and settings the controls judged, with the controls' own rules (isDistributorDomain,
 * the policy analysis' distributor ownership and verdicts), so the drill-down cannot contradict a finding.
 */

function callState(c: Call<unknown> | undefined): CallState {
  if (!c) return { status: 'not collected' };
  return c.status === 'ok'
    ? { status: 'ok', api: c.api }
    : { status: c.status, api: c.api, errorCode: c.errorCode, message: c.message };
}

function callStates(ev: PayerEvidence): Record<string, CallState> {
  return {
    access: callState(ev.access),
    billingRole: callState(ev.billingRole),
    'organizations.organization': callState(ev.organizations?.organization),
    'organizations.accounts': callState(ev.organizations?.accounts),
    'account.contactInformation': callState(ev.account?.contactInformation),
    'iam.accountSummary': callState(ev.iam?.accountSummary),
    'iam.virtualMfaDevices': callState(ev.iam?.virtualMfaDevices),
    'iam.credentialReport': callState(ev.iam?.credentialReport),
    'iam.organizationsFeatures': callState(ev.iam?.organizationsFeatures),
    'iam.authorizationDetails': callState(ev.iam?.authorizationDetails),
    'cloudtrail.rootEvents': callState(ev.cloudtrail?.rootEvents),
    'cloudtrail.trails': callState(ev.cloudtrail?.trails),
    'eventbridge.rules': callState(ev.eventbridge?.rules),
    [SPEND_CALL]: callState(ev.costExplorer?.monthlySpend),
  };
}

/**
 * Builds one payer's view. Never throws on odd evidence: a policy analysis that fails is recorded as
 * policyAnalysisError (the boundary controls report the same payer unknown) and principals are listed from the
 * evidence alone.
 */
export function buildPayerView(ev: PayerEvidence, settings: DistributorSettings): PayerView {
  const list = <T>(x: T[] | undefined | null): T[] => (Array.isArray(x) ? x : []);
  const accounts = ev.organizations?.accounts;
  const memberAccounts: MemberAccountView[] =
    accounts?.status === 'ok'
      ? list(accounts.data).map((a) => {
          const domain = emailDomain(a.email);
          return {
            payerAccountId: ev.payerAccountId,
            id: a.id,
            name: a.name,
            email: a.email,
            emailDomain: domain,
            onDistributorDomain: isDistributorDomain(domain, settings),
            status: a.status,
            joinedMethod: a.joinedMethod,
            joinedTimestamp: a.joinedTimestamp,
            isPayer: a.id === ev.payerAccountId,
          };
        })
      : [];

  const auth = ev.iam?.authorizationDetails;
  const boundaryArn = boundaryArnFor(settings, ev.payerAccountId);
  let analysis: PayerAnalysis | null = null;
  let analysisError: string | null = null;
  if (auth?.status === 'ok') {
    try {
      analysis = analyzePayerCached(ev, settings);
    } catch (e) {
      analysisError = e instanceof Error ? e.message : String(e);
    }
  }
  const byArn = new Map(analysis?.principals.map((p) => [p.arn, p]) ?? []);
  const principals: PrincipalView[] =
    auth?.status === 'ok'
      ? [
          ...list(auth.data.users).map((u) => ({ type: 'user' as const, p: u })),
          ...list(auth.data.roles).map((r) => ({ type: 'role' as const, p: r })),
        ]
          .map(({ type, p }) => {
            const a = byArn.get(p.arn);
            const path = p.path || '/';
            return {
              payerAccountId: ev.payerAccountId,
              type,
              arn: p.arn,
              name: p.name,
              path,
              permissionsBoundaryArn: p.permissionsBoundaryArn ?? null,
              hasDistributorBoundary: p.permissionsBoundaryArn === boundaryArn,
              distributorOwned:
                a?.isDistributorOwned ?? isDistributorOwned({ name: p.name, path, tags: p.tags ?? {} }, type, settings),
              serviceLinked: a?.isServiceLinked ?? (type === 'role' && isServiceLinkedPath(path)),
              canAdministerIam: a?.canAdministerIam ?? null,
              openPaths: a ? a.openPaths.length : null,
              attachedPolicies: list(p.attachedPolicies).map((x) => x.name),
            };
          })
          .filter((p) => !p.serviceLinked)
      : [];

  // Several routes of one method can open on the same call (they differ only in the request tags tried): a person
  // reads one path, so paths that read the same are listed once.
  const seenPaths = new Set<string>();
  const escalationPaths: EscalationPathView[] = (analysis?.principals ?? []).flatMap((p) =>
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

  const partnerPrincipals = principals.filter((p) => !p.distributorOwned);
  const re = ev.cloudtrail?.rootEvents;
  const org = ev.organizations?.organization;
  return {
    schemaVersion: PAYER_VIEW_SCHEMA_VERSION,
    partnerId: ev.partnerId,
    payerAccountId: ev.payerAccountId,
    payer: {
      accountId: ev.payerAccountId,
      collectedAt: ev.collectedAt,
      managementEmail: org?.status === 'ok' ? org.data.masterAccountEmail : null,
      managementEmailOnDistributorDomain:
        org?.status === 'ok' ? isDistributorDomain(emailDomain(org.data.masterAccountEmail), settings) : null,
      boundaryPresent: analysis?.boundaryPresent ?? null,
      fencedAdminOpenPaths: analysis?.adminOpenPaths ?? null,
      policyAnalysisError: analysisError,
      calls: callStates(ev),
    },
    memberAccounts,
    principals,
    escalationPaths,
    boundaryCoverage: {
      principals: principals.length,
      distributorOwned: principals.length - partnerPrincipals.length,
      partnerPrincipals: partnerPrincipals.length,
      covered: partnerPrincipals.filter((p) => p.hasDistributorBoundary).length,
      principalsWithOpenPaths: principals.filter((p) => (p.openPaths ?? 0) > 0).length,
    },
    rootEvents: re?.status === 'ok' ? list(re.data).map((e) => ({ payerAccountId: ev.payerAccountId, ...e })) : [],
  };
}

/**
 * For scoreRun: builds the views its run lacks (payers the job did not evaluate, views built with other settings or
 * an older schema version, runs stored before views existed). Call `add` with the very evidence object the controls
 * were just run on: the policy analysis is memoised on it (analyzePayerCached), so the view costs no second simulation.
 */
export async function payerViewBuilder(db: Db, runId: string, settings: DistributorSettings, fingerprint: string) {
  const ready = await payerViewsReady(db, runId, fingerprint);
  let built = 0;
  return {
    async add(ev: PayerEvidence): Promise<void> {
      if (ready.has(ev.payerAccountId)) return;
      let view: PayerView;
      try {
        view = buildPayerView(ev, settings);
      } catch {
        // Evidence too odd to show must not fail the scoring; the drill-down lists the payer without details.
        return;
      }
      await storePayerView(db, runId, view, fingerprint);
      ready.add(ev.payerAccountId);
      built++;
    },
    /** Views built here (the rest came from the payer jobs). */
    get built() {
      return built;
    },
  };
}
