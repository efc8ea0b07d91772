/**
 * The evidence contract between collectors (workers/) and controls (core/controls).
 *
 * Every AWS call a collector makes is recorded as a `Call<T>`: either its data, or why it could not be had.
 * Controls must treat anything other than `status: 'ok'` as "could not see" (finding = unknown), except where the
 * denial is itself the finding (the collector role could not be assumed = lockout).
 */

export type CallStatus = 'ok' | 'denied' | 'throttled' | 'error' | 'timeout' | 'malformed';

export interface CallOk<T> {
  status: 'ok';
  /** AWS API name, e.g. "iam:GetAccountSummary". */
  api: string;
  data: T;
  /** AWS request ids of the calls that produced this data (for audit trails). */
  requestIds?: string[];
}

export interface CallFailed {
  status: Exclude<CallStatus, 'ok'>;
  api: string;
  /** AWS error code as returned ("AccessDenied", "ThrottlingException", "TimeoutError", ...). */
  errorCode: string;
  /** Human readable, never contains credentials. */
  message: string;
  requestIds?: string[];
}

export type Call<T> = CallOk<T> | CallFailed;

export const isOk = <T>(c: Call<T> | undefined): c is CallOk<T> => c?.status === 'ok';

// ---------------------------------------------------------------- STS

export interface AccessEvidence {
  roleArn: string;
  /** ARN of the assumed-role session, as STS GetCallerIdentity reports it. */
  assumedRoleArn: string;
  accountId: string;
}

// ---------------------------------------------------------------- Organizations

export interface OrganizationInfo {
  id: string;
  arn: string;
  featureSet: string;
  masterAccountId: string;
  masterAccountArn: string;
  masterAccountEmail: string;
}

export interface MemberAccount {
  id: string;
  arn: string;
  name: string;
  email: string;
  status: string; // ACTIVE | SUSPENDED | PENDING_CLOSURE
  joinedMethod: string; // INVITED | CREATED
  joinedTimestamp: string; // ISO
}

// ---------------------------------------------------------------- Account

export interface ContactInformation {
  fullName: string;
  companyName?: string;
  addressLine1?: string;
  city?: string;
  countryCode?: string;
  phoneNumber?: string;
  websiteUrl?: string;
}

export interface AlternateContact {
  type: 'BILLING' | 'SECURITY' | 'OPERATIONS';
  name: string;
  title?: string;
  emailAddress: string;
  phoneNumber?: string;
}

// ---------------------------------------------------------------- IAM

/** GetAccountSummary's SummaryMap, e.g. AccountMFAEnabled, AccountAccessKeysPresent, AccountSigningCertificatesPresent. */
export type AccountSummary = Record<string, number>;

export interface VirtualMfaDevice {
  serialNumber: string;
  /** ARN of the user the device is assigned to; root's is "arn:aws:iam::<acct>:root". */
  userArn?: string;
  enableDate?: string;
}

/** One row of the IAM credential report, keys exactly as the CSV header names them. */
export type CredentialReportRow = Record<string, string>;

export interface OrganizationsFeatures {
  organizationId?: string;
  /** e.g. ["RootCredentialsManagement", "RootSessions"] */
  enabledFeatures: string[];
  /**
   * Set when IAM answered ListOrganizationsFeatures with one of its documented errors, each of which says why no
   * feature can be on (enabledFeatures is then []): see ORGANIZATIONS_FEATURES_ANSWERS.
   */
  answeredWith?: OrganizationsFeaturesError;
}

/** ListOrganizationsFeatures' documented errors (botocore iam model): answers about the payer, not failures. */
export const ORGANIZATIONS_FEATURES_ANSWERS = {
  ServiceAccessNotEnabledException: 'trusted access for IAM is not enabled in AWS Organizations',
  OrganizationNotFoundException: 'the payer is in no organization',
  OrganizationNotInAllFeaturesModeException: 'the organization runs consolidated billing only, not all features',
  AccountNotManagementOrDelegatedAdministratorException:
    'the payer is neither the management account nor a delegated administrator for IAM',
} as const;

export type OrganizationsFeaturesError = keyof typeof ORGANIZATIONS_FEATURES_ANSWERS;

export interface PolicyDocument {
  Version?: string;
  Statement: unknown[] | unknown;
  [k: string]: unknown;
}

export interface InlinePolicy {
  name: string;
  /** Decoded from the URL-encoded JSON AWS returns. */
  document: PolicyDocument;
}

export interface AttachedPolicy {
  arn: string;
  name: string;
}

export interface IamUser {
  arn: string;
  name: string;
  userId: string;
  path: string;
  createDate: string;
  groups: string[];
  inlinePolicies: InlinePolicy[];
  attachedPolicies: AttachedPolicy[];
  permissionsBoundaryArn?: string;
  tags: Record<string, string>;
}

export interface IamRole {
  arn: string;
  name: string;
  roleId: string;
  path: string;
  createDate: string;
  assumeRolePolicy: PolicyDocument;
  inlinePolicies: InlinePolicy[];
  attachedPolicies: AttachedPolicy[];
  permissionsBoundaryArn?: string;
  tags: Record<string, string>;
  roleLastUsed?: string;
}

export interface IamGroup {
  arn: string;
  name: string;
  path: string;
  inlinePolicies: InlinePolicy[];
  attachedPolicies: AttachedPolicy[];
}

export interface PolicyVersion {
  versionId: string;
  isDefaultVersion: boolean;
  createDate?: string;
  document: PolicyDocument;
}

export interface ManagedPolicy {
  arn: string;
  name: string;
  path: string;
  defaultVersionId: string;
  attachmentCount: number;
  permissionsBoundaryUsageCount: number;
  isAttachable: boolean;
  versions: PolicyVersion[];
}

export interface AuthorizationDetails {
  users: IamUser[];
  groups: IamGroup[];
  roles: IamRole[];
  policies: ManagedPolicy[];
  /** How many pages the collector read (large payers have many). */
  pages: number;
}

// ---------------------------------------------------------------- CloudTrail

/** A root event, flattened from CloudTrail's LookupEvents `CloudTrailEvent` JSON. */
export interface RootEvent {
  eventId: string;
  eventTime: string; // ISO
  eventName: string;
  eventSource: string;
  eventType: string; // AwsConsoleSignIn | AwsApiCall | ...
  awsRegion: string;
  sourceIPAddress?: string;
  userAgent?: string;
  /** Console sign-in: additionalEventData.MFAUsed == "Yes"; API call: userIdentity.sessionContext.attributes.mfaAuthenticated. */
  mfaUsed?: boolean;
  /** responseElements.ConsoleLogin or errorCode, when present. */
  outcome?: string;
  errorCode?: string;
  accountId: string;
  /** CloudTrail's readOnly flag. */
  readOnly?: boolean;
  /** CloudTrail's sessionCredentialFromConsole: the call came from a console session, not from access keys. */
  fromConsole?: boolean;
  /** The few request parameters that decide whether an event is a root-only task (core/src/data/root-tasks.ts). */
  request?: RootEventRequest;
  /** Set when the event arrived live from the root-activity monitor (the hub queue) rather than from LookupEvents. */
  live?: boolean;
}

export interface RootEventRequest {
  userName?: string;
  roleName?: string;
  groupName?: string;
  policyArn?: string;
  bucketName?: string;
  /** PutBucketVersioning's VersioningConfiguration.MfaDelete ("Enabled" / "Disabled"), when the request set it. */
  mfaDelete?: string;
}

export interface Trail {
  name: string;
  arn: string;
  homeRegion: string;
  isMultiRegionTrail: boolean;
  isOrganizationTrail: boolean;
  s3BucketName?: string;
  /** From GetTrailStatus; undefined when the status call failed (see statusError). */
  isLogging?: boolean;
  latestDeliveryTime?: string;
  statusError?: string;
}

export interface CloudTrailEvidence {
  /** Look-back window used for LookupEvents, in days. */
  lookbackDays: number;
  /**
   * Root events of every region read (see PayerEvidence.regions), newest first. Failed when any region could not be
   * read: the message names the regions not seen, so no root-activity control passes on a partial view.
   */
  rootEvents: Call<RootEvent[]>;
  /** Per region read: how many root events LookupEvents showed there, or why that region was not seen. */
  rootEventsByRegion?: Record<string, Call<{ rootEvents: number }>>;
  trails: Call<Trail[]>;
}

// ---------------------------------------------------------------- EventBridge

export interface EventRule {
  name: string;
  arn: string;
  state: string; // ENABLED | DISABLED
  eventPattern?: string;
  eventBusName?: string;
  description?: string;
}

export interface RuleTarget {
  id: string;
  arn: string;
}

/** One region's rules on the default bus, and the targets of the distributor's monitor rule there. */
export interface RegionalRules {
  rules: Call<EventRule[]>;
  /** ListTargetsByRule of the monitor rule; unset when the rule is not in this region (or rules failed). */
  monitorRuleTargets?: Call<RuleTarget[]>;
}

// ---------------------------------------------------------------- Regions

/** Which regions the regional collectors (root events, EventBridge) read, and why. */
export interface RegionScope {
  /** Account ListRegions: the regions whose status is ENABLED or ENABLED_BY_DEFAULT. */
  enabled: Call<string[]>;
  /** us-east-1 first (console sign-ins and global services are recorded there), then every other enabled region. */
  read: string[];
  /** Set when `read` is a fallback because `enabled` failed: why, and what may not have been seen. */
  fallbackReason?: string;
}

// ---------------------------------------------------------------- Cost Explorer

export interface MonthlySpend {
  /** First day of the month, YYYY-MM-DD. */
  start: string;
  /** First day of the next month (exclusive), YYYY-MM-DD. */
  end: string;
  amount: number;
  unit: string; // USD
  estimated: boolean;
}

// ---------------------------------------------------------------- Two-party root access (payerguard itself)

/**
 * An approved root-access window for this payer, as payerguard's own records held it when the payer was collected
 * (see core/src/root-windows). Root use inside one is expected; outside any, it is a violation.
 */
export interface ApprovedRootWindow {
  id: string;
  reason: string;
  startsAt: string; // ISO
  endsAt: string; // ISO
  requestedBy: string;
  requestedBySide: 'partner' | 'distributor';
  requestedAt: string; // ISO
  approvedBy: string;
  /** Root use before the approval was not approved at the time, even if the window had started. */
  approvedAt: string; // ISO
}

// ---------------------------------------------------------------- The whole payer

export interface PayerEvidence {
  schemaVersion: 1;
  payerAccountId: string;
  partnerId: string;
  collectedAt: string;
  /** STS AssumeRole into the collector role. If this fails nothing else is collected. */
  access: Call<AccessEvidence>;
  /** The billing-admin role the distributor uses for re-billing: exists, and trusts the distributor's hub. */
  billingRole?: Call<{ roleArn: string; exists: boolean; trustsDistributor: boolean; trustPolicy?: PolicyDocument }>;
  organizations?: {
    organization: Call<OrganizationInfo>;
    accounts: Call<MemberAccount[]>;
  };
  account?: {
    contactInformation: Call<ContactInformation>;
    alternateContacts: {
      BILLING: Call<AlternateContact | null>;
      SECURITY: Call<AlternateContact | null>;
      OPERATIONS: Call<AlternateContact | null>;
    };
  };
  iam?: {
    accountSummary: Call<AccountSummary>;
    virtualMfaDevices: Call<VirtualMfaDevice[]>;
    credentialReport: Call<CredentialReportRow[]>;
    /** GetCredentialReport's GeneratedTime (ISO): IAM hands out a report up to 4 hours old, so its age matters. */
    credentialReportGeneratedTime?: string;
    organizationsFeatures: Call<OrganizationsFeatures>;
    authorizationDetails: Call<AuthorizationDetails>;
  };
  cloudtrail?: CloudTrailEvidence;
  /** Regions the regional collectors read (collections before regions were read have none: us-east-1 only). */
  regions?: RegionScope;
  /** `rules`: us-east-1's rules; `byRegion`: every region read, for the per-region monitor check. */
  eventbridge?: { rules: Call<EventRule[]>; byRegion?: Record<string, RegionalRules> };
  costExplorer?: { monthlySpend: Call<MonthlySpend[]> };
  /** Approved two-party root-access windows of this payer, read from payerguard's database by the payer job. */
  rootAccessWindows?: Call<ApprovedRootWindow[]>;
}

/** Collector role session names and API names are stable strings used in evidence and findings. */
export const API = {
  assumeRole: 'sts:AssumeRole',
  getCallerIdentity: 'sts:GetCallerIdentity',
  describeOrganization: 'organizations:DescribeOrganization',
  listAccounts: 'organizations:ListAccounts',
  describeAccount: 'organizations:DescribeAccount',
  getContactInformation: 'account:GetContactInformation',
  getAlternateContact: 'account:GetAlternateContact',
  getAccountSummary: 'iam:GetAccountSummary',
  listVirtualMFADevices: 'iam:ListVirtualMFADevices',
  generateCredentialReport: 'iam:GenerateCredentialReport',
  getCredentialReport: 'iam:GetCredentialReport',
  listOrganizationsFeatures: 'iam:ListOrganizationsFeatures',
  getAccountAuthorizationDetails: 'iam:GetAccountAuthorizationDetails',
  getRole: 'iam:GetRole',
  lookupEvents: 'cloudtrail:LookupEvents',
  describeTrails: 'cloudtrail:DescribeTrails',
  getTrailStatus: 'cloudtrail:GetTrailStatus',
  listRules: 'events:ListRules',
  listTargetsByRule: 'events:ListTargetsByRule',
  listRegions: 'account:ListRegions',
  getCostAndUsage: 'ce:GetCostAndUsage',
  /** Not AWS: payerguard's own record of approved root-access windows. */
  rootAccessWindows: 'payerguard:ApprovedRootAccessWindows',
} as const;
