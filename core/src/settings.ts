import type { PolicyDocument } from './evidence/types.js';

/**
 * What the distributor configures once, and every control reads. Stored as one row (see db/schema.ts `settings`).
 */
export interface DistributorSettings {
  distributorName: string;
  /** Email domains the distributor owns (lower case, no "@"). Root and billing contacts must be on one of these. */
  domains: string[];
  /** The distributor's hub account: where the collector and billing roles are assumed from. */
  hubAccountId: string;
  /**
   * The hub's EventBridge bus (in hubAccountId) that every payer's root-activity monitor rule must target; a rule
   * forwarding anywhere else (or nowhere) does not reach the distributor.
   */
  hubEventBusName: string;
  /** Name of the read-only collector role deployed in every payer. */
  collectorRoleName: string;
  /** Name of the billing-admin role the distributor uses for re-billing. */
  billingRoleName: string;
  /** The distributor's permissions boundary, deployed in every payer as arn:aws:iam::<payer>:policy<path><name>. */
  boundary: {
    policyName: string;
    policyPath: string;
    /** The approved boundary document; the deployed default version is compared with it (drift). */
    approvedDocument: PolicyDocument | null;
  };
  /** What a partner admin must not be able to touch, even as an administrator. */
  protectedResources: {
    /** S3 bucket names holding the distributor's private data (distribution files, CUR). */
    s3Buckets: string[];
    /** Cost Explorer / billing actions that reveal margin. */
    billingActions: string[];
    /** Governance tooling in each payer. */
    monitorRuleName: string;
    trailName: string;
    governanceStackName: string;
  };
  /** Which principals in a payer are the distributor's own (exempt from the boundary coverage control). */
  distributorPrincipals: {
    paths: string[];
    names: string[];
    tags: { key: string; value: string }[];
  };
  /** Root activity look-back, in days. */
  rootLookbackDays: number;
  /** Approved windows during which root use is expected (change tickets). */
  approvedRootWindows: { start: string; end: string; reason: string }[];
  /** Successful collector access older than this is a finding (hours). */
  accessMaxAgeHours: number;
  /**
   * The one hub principal (an IAM role ARN in the hub account) that collects: the collector role's trust policy names
   * it rather than the whole hub account, so no other hub identity can assume into a payer.
   */
  hubPrincipalArn: string;
  /** Longest accepted exception, in days (SUPPRESSION_MAX_DAYS_LIMIT at most). */
  suppressionMaxDays: number;
  /** Longest lifetime of an API token, in days; a token without an expiry gets this one. */
  apiTokenMaxDays: number;
  /**
   * Raw evidence of a run is kept this many days; older evidence is purged after scoring, except what each partner's
   * latest snapshot was scored from. Findings, snapshots and trends are kept whatever this says.
   */
  evidenceRetentionDays: number;
}

/** Hard ceilings the settings cannot exceed. */
export const SUPPRESSION_MAX_DAYS_LIMIT = 400;
export const API_TOKEN_MAX_DAYS_LIMIT = 730;
export const EVIDENCE_RETENTION_DAYS_LIMIT = 3650;
export const HUB_PRINCIPAL_ARN_RE = /^arn:aws[a-z-]*:iam::(\d{12}):role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

export const DEMO_DISTRIBUTOR_DOMAIN = 'distributor.example';
export const DEMO_HUB_ACCOUNT_ID = '111111111111';
export const DEFAULT_HUB_EVENT_BUS_NAME = 'DistributorRootActivity';

export function defaultSettings(): DistributorSettings {
  return {
    distributorName: 'Example Distribution Ltd',
    domains: [DEMO_DISTRIBUTOR_DOMAIN],
    hubAccountId: DEMO_HUB_ACCOUNT_ID,
    hubEventBusName: DEFAULT_HUB_EVENT_BUS_NAME,
    collectorRoleName: 'PayerGuardCollector',
    billingRoleName: 'DistributorBillingAdmin',
    boundary: { policyName: 'DistributorPartnerBoundary', policyPath: '/distributor/', approvedDocument: null },
    protectedResources: {
      s3Buckets: ['distributor-billing-files'],
      billingActions: ['ce:GetCostAndUsage', 'ce:GetCostForecast', 'aws-portal:ViewBilling', 'billing:GetBillingData'],
      monitorRuleName: 'DistributorRootActivityMonitor',
      trailName: 'distributor-org-trail',
      governanceStackName: 'DistributorGovernance',
    },
    distributorPrincipals: {
      paths: ['/distributor/'],
      names: ['PayerGuardCollector', 'DistributorBillingAdmin', 'OrganizationAccountAccessRole'],
      tags: [{ key: 'managed-by', value: 'distributor' }],
    },
    rootLookbackDays: 90,
    approvedRootWindows: [],
    accessMaxAgeHours: 48,
    hubPrincipalArn: `arn:aws:iam::${DEMO_HUB_ACCOUNT_ID}:role/PayerGuardHub`,
    suppressionMaxDays: 90,
    apiTokenMaxDays: 90,
    evidenceRetentionDays: 400,
  };
}

export const boundaryArnFor = (s: DistributorSettings, accountId: string) =>
  `arn:aws:iam::${accountId}:policy${s.boundary.policyPath}${s.boundary.policyName}`;
export const collectorRoleArnFor = (s: DistributorSettings, accountId: string) =>
  `arn:aws:iam::${accountId}:role/${s.collectorRoleName}`;

/** The hub bus a monitor rule in `region` forwards to (EventBridge targets a bus by ARN, cross-region allowed). */
export const hubEventBusArnFor = (s: DistributorSettings, region: string) =>
  `arn:aws:events:${region}:${s.hubAccountId}:event-bus/${s.hubEventBusName}`;
