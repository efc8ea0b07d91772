import type { PayerEvidence } from '../evidence/types.js';
import type { DistributorSettings } from '../settings.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type FindingStatus = 'pass' | 'fail' | 'warn' | 'unknown' | 'suppressed';
export type ControlCategory = 'ownership' | 'access' | 'root' | 'boundary' | 'governance';

/** Which parts of PayerEvidence a control reads (shown in the UI; lets a run tell "not collected" from "no"). */
export type EvidenceKey =
  | 'access'
  | 'billingRole'
  | 'organizations.organization'
  | 'organizations.accounts'
  | 'account.contactInformation'
  | 'account.alternateContacts'
  | 'iam.accountSummary'
  | 'iam.virtualMfaDevices'
  | 'iam.credentialReport'
  | 'iam.organizationsFeatures'
  | 'iam.authorizationDetails'
  | 'cloudtrail.rootEvents'
  | 'cloudtrail.trails'
  | 'eventbridge.rules'
  | 'costExplorer.monthlySpend'
  | 'rootAccessWindows';

export interface ControlMeta {
  /** Stable id, e.g. "ROOT-MFA". Never renamed: exports, suppressions and scripts key on it. */
  id: string;
  title: string;
  category: ControlCategory;
  severity: Severity;
  rationale: string;
  /** Steps a partner (or the distributor) can follow. */
  remediation: string;
  references: { title: string; url: string }[];
  evidence: EvidenceKey[];
  /**
   * Set on the few controls that judge the collector access itself. Every other control is reported unknown
   * ("no access") by the engine when the collector role could not be assumed.
   */
  runsWithoutAccess?: boolean;
}

/** One verdict of one control, about the payer as a whole (resource '') or one resource in it. */
export interface ControlResult {
  status: Exclude<FindingStatus, 'suppressed'>;
  /** ARN / account id / event id the result is about; '' for the payer. */
  resource?: string;
  /** One sentence a person reads first: what is wrong (or right), with the decisive value. */
  message: string;
  /** The exact values that decided it (emails, ARNs, event ids, actions). JSON-serialisable, no secrets. */
  evidence: Record<string, unknown>;
  /** Overrides the control's severity for this result (e.g. a warn that is low). */
  severity?: Severity;
}

export interface EvaluationContext {
  settings: DistributorSettings;
  /** The time of evaluation (the run's time), so evaluations are reproducible. */
  now: Date;
  /** Previous successful collector access for this payer, if any (for access-age controls). */
  lastAccessOkAt?: Date;
}

export interface Control extends ControlMeta {
  /** Pure: no I/O, no clock (use ctx.now). Returns at least one result. */
  evaluate(evidence: PayerEvidence, ctx: EvaluationContext): ControlResult[];
}

/** A ControlResult placed in its control and partner: what gets stored in the findings table. */
export interface Finding {
  controlId: string;
  title: string;
  category: ControlCategory;
  partnerId: string;
  payerAccountId: string;
  resource: string;
  status: FindingStatus;
  severity: Severity;
  message: string;
  evidence: Record<string, unknown>;
  remediation: string;
  suppressionId?: string;
}
