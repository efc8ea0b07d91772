import type { RootEvent } from '../evidence/types.js';
import type { OpenPath } from '../policy/probe.js';

/**
 * What the drill-down shows about one payer: built in the payer job (build-payer-view.ts) from the same evidence,
 * settings and policy analysis the controls judged, stored beside the findings (payer-views-store.ts) and read by the
 * API as it is. This module holds only the stored shape and pure read helpers, so readers load no policy engine.
 *
 * Bump PAYER_VIEW_SCHEMA_VERSION whenever what a view holds or how it is derived changes: stored views of another
 * version are built again the next time their run is scored (payerViewBuilder).
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
