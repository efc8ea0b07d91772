import { emailDomain, isDistributorDomain } from '../controls/helpers.js';
import type { Call, PayerEvidence, RootEvent } from '../evidence/types.js';
import { analyzePayerCached, isDistributorOwned, isServiceLinkedPath, type PayerAnalysis } from '../policy/analyze.js';
import type { OpenPath } from '../policy/probe.js';
import { boundaryArnFor, type DistributorSettings } from '../settings.js';

/**
 * What the drill-down shows about one payer, built in the payer job from the same evidence, settings and policy
 * analysis the controls judged (analyzePayerCached is shared with the boundary controls, so building the view after
 * evaluatePayer costs no simulation), stored beside the findings and read by the API as it is.
 *
 * Bump PAYER_VIEW_SCHEMA_VERSION whenever what a view holds or how it is derived changes: stored views of another
 * version are built again the next time their run is scored (see payer-views-store.ts).
 */
export const PAYER_VIEW_SCHEMA_VERSION = 1;

export interface CallState {
  status: string;
  api?: string;
  errorCode?: string;
  message?: string;
}

export interface MemberAccountView {
  payerAccountId: string;
  id: string;
  name: string;
  email: string;
  emailDomain: string;
  /** isDistributorDomain: owning a domain means owning its subdomains, as OWN-MEMBER-DOMAINS judges. */
  onDistributorDomain: boolean;
  status: string;
  joinedMethod: string;
  joinedTimestamp: string;
  isPayer: boolean;
}

export interface PrincipalView {
  payerAccountId: string;
  type: 'user' | 'role';
  arn: string;
  name: string;
  path: string;
  permissionsBoundaryArn: string | null;
  hasDistributorBoundary: boolean;
  /** The policy analysis' verdict (path, name, tag, or the collector / billing role), as the boundary controls use. */
  distributorOwned: boolean;
  serviceLinked: boolean;
  /** null when the policy analysis could not run. */
  canAdministerIam: boolean | null;
  openPaths: number | null;
  attachedPolicies: string[];
}

export interface EscalationPathView {
  payerAccountId: string;
  principalArn: string;
  principalName: string;
  hasDistributorBoundary: boolean;
  methodId: string;
  title: string;
  action: string;
  resource: string;
  explanation: string;
  decidingStatements: string[];
  steps: { action: string; resource: string }[];
  requestContext?: string;
}

export type RootEventView = RootEvent & { payerAccountId: string };

/** Boundary coverage of one payer's principals (service-linked ones excluded: IAM cannot fence them). */
export interface PayerBoundaryCoverage {
  principals: number;
  distributorOwned: number;
  partnerPrincipals: number;
  covered: number;
  principalsWithOpenPaths: number;
}

export interface PayerSummaryView {
  accountId: string;
  collectedAt: string;
  managementEmail: string | null;
  managementEmailOnDistributorDomain: boolean | null;
  boundaryPresent: boolean | null;
  /** What a partner administrator fenced by the deployed boundary could still do. */
  fencedAdminOpenPaths: OpenPath[] | null;
  policyAnalysisError: string | null;
  /** Per evidence call; 'costExplorer.monthlySpend' is stored always and removed for readers without spend. */
  calls: Record<string, CallState>;
}

export interface PayerView {
  schemaVersion: typeof PAYER_VIEW_SCHEMA_VERSION;
  partnerId: string;
  payerAccountId: string;
  payer: PayerSummaryView;
  memberAccounts: MemberAccountView[];
  principals: PrincipalView[];
  escalationPaths: EscalationPathView[];
  boundaryCoverage: PayerBoundaryCoverage;
  rootEvents: RootEventView[];
}

/** The evidence call whose status is margin data: hidden from readers who may not see spend. */
export const SPEND_CALL = 'costExplorer.monthlySpend';

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

/** A partner's boundary coverage over its payers' views: partner principals carrying the distributor boundary. */
export function partnerBoundaryCoverage(views: readonly Pick<PayerView, 'boundaryCoverage'>[]) {
  const sum = (f: (c: PayerBoundaryCoverage) => number) => views.reduce((n, v) => n + f(v.boundaryCoverage), 0);
  const partnerPrincipals = sum((c) => c.partnerPrincipals);
  const covered = sum((c) => c.covered);
  return {
    principals: sum((c) => c.principals),
    distributorOwned: sum((c) => c.distributorOwned),
    partnerPrincipals,
    covered,
    uncovered: partnerPrincipals - covered,
    share: partnerPrincipals ? Math.round((covered / partnerPrincipals) * 1000) / 1000 : null,
    principalsWithOpenPaths: sum((c) => c.principalsWithOpenPaths),
  };
}

/** The payer's summary as a reader sees it: the spend call only for readers who may see spend (canSeeSpend). */
export function payerSummaryFor(view: PayerView, spend: boolean): PayerSummaryView {
  if (spend) return view.payer;
  const { [SPEND_CALL]: _hidden, ...calls } = view.payer.calls;
  return { ...view.payer, calls };
}
