import type { RootAccessTrail } from './root-windows.js';

/**
 * Response shapes of the payerguard API as the dashboard reads them. The server's TypeBox schemas are the source of
 * truth; fields the screens can live without are optional so an older or newer server degrades, not breaks.
 */

export type Role = 'admin' | 'analyst' | 'partner_viewer';
export type Status = 'pass' | 'fail' | 'warn' | 'unknown' | 'suppressed';
export type Severity = 'critical' | 'high' | 'medium' | 'low';
/** The API's grades (core/src/engine/scoring.ts GRADES): there is no E. */
export const GRADES = ['A', 'B', 'C', 'D', 'F'] as const;
export type Grade = (typeof GRADES)[number];

export interface User {
  id: string;
  email: string;
  name?: string | null;
  role: Role;
  partnerId: string | null;
}

export interface Me {
  user: User;
  partner?: { id: string; name: string } | null;
  csrfToken?: string;
  demo?: boolean;
}

export interface LoginResponse {
  user: User;
  csrfToken: string;
}

export interface DemoLogin {
  email: string;
  role: Role;
  partnerId?: string | null;
  partnerName?: string | null;
}

export interface DemoLogins {
  password: string;
  logins: DemoLogin[];
}

export interface OverviewPartner {
  id: string;
  name: string;
  tags?: Record<string, string>;
  payerAccountIds?: string[];
  collected: boolean;
  score: number | null;
  grade: string | null;
  scoreDelta?: number | null;
  /** The partner's last scores, oldest first. */
  trend?: number[];
  lockedOut: boolean;
  failingCriticalControls?: string[];
  lastSnapshotAt?: string | null;
  lastRunId?: string | null;
  /** Absent for partner viewers (margin data). */
  monthlySpend?: number | null;
}

export interface OverviewTotals {
  partners: number;
  collected: number;
  notCollected: number;
  byGrade: Record<string, number>;
  lockouts: number;
  failingCritical: number;
  averageScore: number | null;
  compliantShare: number | null;
  totalMonthlySpend?: number;
  spendAtRisk?: number;
}

export interface TrendPoint {
  runId: string;
  at: string;
  partners: number;
  averageScore: number;
  lockouts: number;
  spendAtRisk?: number;
}

export interface Overview {
  total: number;
  limit: number;
  offset: number;
  nextOffset: number | null;
  partners: OverviewPartner[];
  totals: OverviewTotals;
  estateTrend: TrendPoint[];
}

export interface MatrixControl {
  id: string;
  title: string;
  severity: Severity | null;
  category: string | null;
}

export interface Matrix {
  total: number;
  controls: MatrixControl[];
  rows: { partnerId: string; name: string; grade: string | null; cells: Record<string, Status> }[];
}

export interface ControlInfo {
  id: string;
  title: string;
  category?: string;
  severity: Severity;
  rationale?: string;
  remediation?: string;
  references?: { title: string; url: string }[];
}

export interface FindingView {
  id: number | string;
  controlId: string;
  title: string;
  category?: string | null;
  status: Status;
  severity: Severity;
  payerAccountId: string;
  resource: string;
  message: string;
  evidence: Record<string, unknown>;
  remediation?: string | null;
  references?: { title: string; url: string }[];
  suppressionId?: string | null;
}

export interface Suppression {
  id: string;
  partnerId?: string;
  controlId: string;
  resource: string;
  reason: string;
  approver: string;
  expiresAt: string;
  createdBy?: string;
  createdAt?: string;
  revokedAt?: string | null;
  revokedBy?: string | null;
  /** "pending": a critical control's exception waiting for a second admin; it changes no verdict until approved. */
  status?: 'pending' | 'active' | 'expired' | 'revoked';
  approvedAt?: string | null;
  secondApprover?: string | null;
}

export interface Snapshot {
  id?: string;
  runId: string;
  takenAt: string;
  score: number;
  grade: string;
  lockedOut: boolean;
  counts?: Record<string, unknown>;
  failingCriticalControls?: string[];
  monthlySpend?: number | null;
}

export interface MemberAccountView {
  payerAccountId: string;
  id: string;
  name: string;
  email: string;
  emailDomain?: string;
  onDistributorDomain?: boolean;
  status: string;
  joinedMethod?: string;
  joinedTimestamp?: string;
  isPayer?: boolean;
}

export interface PrincipalView {
  payerAccountId: string;
  type: 'user' | 'role' | string;
  arn: string;
  name: string;
  path?: string;
  permissionsBoundaryArn: string | null;
  hasDistributorBoundary: boolean;
  distributorOwned: boolean;
  serviceLinked?: boolean;
  canAdministerIam?: boolean | null;
  openPaths?: number | null;
  attachedPolicies?: string[];
}

/** One open route out of the permissions boundary, found by the policy analysis. */
export interface EscalationPath {
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

export interface FindingChange {
  controlId: string;
  payerAccountId: string;
  resource: string;
  severity: Severity;
  message: string;
  status: Status;
  nowStatus?: Status | 'absent';
}

export interface SnapshotChanges {
  baseline: boolean;
  previousScore: number | null;
  previousGrade: string | null;
  scoreDelta: number | null;
  newCount: number;
  resolvedCount: number;
  new: FindingChange[];
  resolved: FindingChange[];
}

export interface RootEventView {
  payerAccountId?: string;
  eventId: string;
  eventTime: string;
  eventName: string;
  eventSource?: string;
  eventType?: string;
  awsRegion?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  mfaUsed?: boolean;
  outcome?: string;
  errorCode?: string;
  accountId?: string;
}

export interface PayerView {
  accountId: string;
  roleArn: string;
  createdAt?: string;
  lastAccessOkAt?: string | null;
  lastAccessError?: string | null;
  evidence?: {
    accountId: string;
    collectedAt: string;
    managementEmail: string | null;
    managementEmailOnDistributorDomain: boolean | null;
    calls: Record<string, { status: string; api?: string; errorCode?: string; message?: string }>;
  } | null;
}

export interface BoundaryCoverage {
  principals: number;
  distributorOwned: number;
  partnerPrincipals: number;
  covered: number;
  uncovered: number;
  share: number | null;
}

export interface PartnerDetail {
  partner: { id: string; name: string; tags?: Record<string, string>; createdAt?: string };
  payers: PayerView[];
  snapshot: Snapshot | null;
  changes: SnapshotChanges | null;
  findings: FindingView[];
  memberAccounts: MemberAccountView[];
  principals: PrincipalView[];
  boundaryCoverage?: BoundaryCoverage;
  escalationPaths: EscalationPath[];
  rootEvents: RootEventView[];
  /** The latest run was scored before payer details were stored: members, principals and the rest come with the next run. */
  detailsWithNextRun?: boolean;
  history: Snapshot[];
  suppressions: Suppression[];
  /** Two-party root access: windows with the root events inside them, and the violations. */
  rootAccess?: RootAccessTrail;
}

export interface RunSummary {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'interrupted' | string;
  trigger: string;
  requestedBy?: string | null;
  total: number;
  collected: number;
  failed: number;
  createdAt: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  error?: string | null;
  /** What the reconciler did for the run (payers re-enqueued after Redis lost their jobs). */
  recoveryNote?: string | null;
  summary?: Record<string, unknown> | null;
}

export interface RunPayer {
  payerAccountId: string;
  partnerId: string;
  partnerName?: string | null;
  status: string;
  attempts?: number;
  errorCode?: string | null;
  errorMessage?: string | null;
}

export interface RunDetail {
  run: RunSummary;
  payers: RunPayer[];
}

/** Which partners an export covers; fields combine (AND). Empty: every partner that has a snapshot. */
export interface ExportScope {
  partnerId?: string;
  grades?: string[];
  failingControl?: string;
}

export type DeliveryTarget = 's3' | 'webhook';

/** Where a scheduled export is pushed to, one state per target. */
export interface DeliveryState {
  target: DeliveryTarget | string;
  status: 'pending' | 'retrying' | 'delivered' | 'failed' | string;
  attempts: number;
  lastError?: string | null;
  deliveredAt?: string | null;
  /** s3://bucket/key, or the webhook's host. */
  destination?: string;
}

export interface ExportView {
  id: string;
  scheduleId?: string | null;
  format: string;
  status: 'pending' | 'ready' | 'failed' | string;
  scope?: ExportScope;
  asOf?: string | null;
  audience?: 'distributor' | 'partner' | string;
  fileName?: string | null;
  sizeBytes?: number | null;
  sha256?: string | null;
  partnerId?: string | null;
  requestedBy?: string;
  createdAt: string;
  expiresAt?: string | null;
  error?: string | null;
  deliveries?: DeliveryState[];
}

export interface ExportRequest {
  format: string;
  scope?: ExportScope;
  /** ISO date-time: the latest snapshot at or before it. */
  asOf?: string;
}

export interface ScheduleDelivery {
  s3?: { bucket: string; prefix?: string };
  webhook?: { url: string };
}

export interface ScheduleView {
  id: string;
  name: string;
  cron: string;
  timezone?: string;
  format: string;
  scope?: ExportScope;
  retentionDays?: number;
  delivery?: ScheduleDelivery;
  hasWebhookSecret?: boolean;
  enabled: boolean;
  createdBy?: string;
  createdAt?: string;
  lastRunAt?: string | null;
  nextRunAt?: string | null;
}

/** Body of POST /api/export-schedules and PUT /api/export-schedules/{id} (every field, as on create). */
export interface ScheduleInput {
  name: string;
  cron: string;
  timezone?: string;
  format: string;
  scope?: ExportScope;
  retentionDays?: number;
  delivery?: ScheduleDelivery;
  enabled?: boolean;
}

/** A saved schedule; `webhookSecret` only when a webhook was just created or its secret rotated (shown once). */
export interface ScheduleSaved {
  schedule: ScheduleView;
  webhookSecret?: string;
}

export interface AuditEntry {
  id: number | string;
  at: string;
  actor: string;
  action: string;
  target?: string | null;
  detail?: unknown;
  ip?: string | null;
}

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt?: string | null;
  expiresAt?: string | null;
  revokedAt?: string | null;
  userEmail?: string;
}

export interface AdminPartner {
  id: string;
  name: string;
  tags?: Record<string, string>;
  payers: number;
}

/** One template of the deploy kit (deploy/), with its parameters filled in for one payer. */
export interface DeployStep {
  template: string;
  purpose: string;
  parameters: Record<string, string>;
  createStack: string;
  stackSetInstance?: string;
  warnings: string[];
}

export interface OnboardingInfo {
  payerAccountId: string;
  roleArn: string;
  expectedRoleArn?: string;
  externalId: string;
  trustPolicy?: unknown;
  cloudFormationTemplate?: unknown;
  deploy?: { collectorRole: DeployStep; permissionsBoundary: DeployStep };
  /** Only against the AWS simulator: the admin call that stands in for deploying the collector stack. */
  simulatorDeploy?: { url: string; body: { accountId: string; externalId: string } };
}

export interface AccessCheckResult {
  payerAccountId: string;
  roleArn: string;
  ok: boolean;
  assumedRoleArn?: string;
  errorCode?: string;
  message?: string;
  latencyMs?: number;
}

/** Lists may come bare or wrapped ({ items } / { <name> }); the hooks normalise to arrays. */
export type MaybeList<T> = T[] | { items?: T[]; [k: string]: unknown };
