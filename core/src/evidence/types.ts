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
}

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
  /** Set when the event arrived live from the root-activity monitor (the hub queue) rather than from LookupEvents. */
  live?: boolean;
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
  rootEvents: Call<RootEvent[]>;
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
    organizationsFeatures: Call<OrganizationsFeatures>;
    authorizationDetails: Call<AuthorizationDetails>;
  };
  cloudtrail?: CloudTrailEvidence;
  eventbridge?: { rules: Call<EventRule[]> };
  costExplorer?: { monthlySpend: Call<MonthlySpend[]> };
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
  getCostAndUsage: 'ce:GetCostAndUsage',
} as const;
