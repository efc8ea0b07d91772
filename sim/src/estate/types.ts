import type { DistributorSettings, PolicyDocument, RegistryEntry } from '@payerguard/core';
import type { ProfileId } from '../profiles.js';

/** One partner as the estate lists it: cheap, generated eagerly for every partner. */
export interface EstatePartner {
  id: string;
  name: string;
  /** The partner's own email domain (not the distributor's). */
  domain: string;
  profiles: ProfileId[];
  payerAccountIds: string[];
}

/** One payer as the estate lists it: cheap, generated eagerly. Its account contents are generated on first use. */
export interface EstatePayer {
  accountId: string;
  partnerId: string;
  partnerName: string;
  partnerDomain: string;
  /** The gaps this payer shows (a partner's second payer is compliant). */
  profiles: ProfileId[];
  /** The ExternalId the distributor's registry holds. */
  externalId: string;
  /** Position among all payers, for account numbering. */
  index: number;
}

export interface SimTag {
  Key: string;
  Value: string;
}

export interface SimPolicyVersion {
  versionId: string;
  isDefault: boolean;
  createDate: Date;
  document: PolicyDocument;
}

export interface SimManagedPolicy {
  arn: string;
  name: string;
  path: string;
  policyId: string;
  createDate: Date;
  updateDate: Date;
  versions: SimPolicyVersion[];
  awsManaged: boolean;
}

export interface SimInlinePolicy {
  name: string;
  document: PolicyDocument;
}

export interface SimUser {
  name: string;
  path: string;
  userId: string;
  createDate: Date;
  groups: string[];
  attached: string[];
  inline: SimInlinePolicy[];
  boundaryArn?: string;
  tags: SimTag[];
  passwordEnabled: boolean;
  passwordLastUsed?: Date;
  mfa: 'none' | 'virtual' | 'hardware';
  accessKeys: { active: boolean; lastRotated: Date; lastUsed?: Date; lastService?: string }[];
}

export interface SimRole {
  name: string;
  path: string;
  roleId: string;
  createDate: Date;
  trust: PolicyDocument;
  attached: string[];
  inline: SimInlinePolicy[];
  boundaryArn?: string;
  tags: SimTag[];
  lastUsed?: Date;
  maxSessionDuration: number;
}

export interface SimGroup {
  name: string;
  path: string;
  groupId: string;
  createDate: Date;
  attached: string[];
  inline: SimInlinePolicy[];
}

export interface SimMemberAccount {
  id: string;
  name: string;
  email: string;
  status: 'ACTIVE' | 'SUSPENDED';
  joinedMethod: 'INVITED' | 'CREATED';
  joinedTimestamp: Date;
}

export interface SimAlternateContact {
  AlternateContactType: 'BILLING' | 'SECURITY' | 'OPERATIONS';
  Name: string;
  Title: string;
  EmailAddress: string;
  PhoneNumber: string;
}

/** One CloudTrail management event, with the lookup fields CloudTrail indexes and the full record it stores. */
export interface SimEvent {
  eventId: string;
  eventName: string;
  eventSource: string;
  eventTime: Date;
  /** The region CloudTrail recorded it in (record.awsRegion): LookupEvents returns it only from there. */
  region: string;
  username: string;
  readOnly: boolean;
  accessKeyId?: string;
  resources: { ResourceType: string; ResourceName: string }[];
  /** The record as CloudTrail keeps it; LookupEvents returns it JSON-encoded in CloudTrailEvent. */
  record: Record<string, unknown>;
}

export interface SimTrail {
  name: string;
  arn: string;
  s3BucketName: string;
  homeRegion: string;
  isMultiRegionTrail: boolean;
  isOrganizationTrail: boolean;
  isLogging: boolean;
  startLoggingTime: Date;
  stopLoggingTime?: Date;
  latestDeliveryTime: Date;
}

export interface SimRuleTarget {
  Id: string;
  Arn: string;
}

export interface SimRule {
  name: string;
  /** EventBridge rules are regional: the same name in two regions is two rules. */
  region: string;
  arn: string;
  state: 'ENABLED' | 'DISABLED';
  eventPattern?: string;
  scheduleExpression?: string;
  description?: string;
  createdBy: string;
  targets: SimRuleTarget[];
}

/** One row of Account ListRegions. */
export interface SimRegion {
  RegionName: string;
  RegionOptStatus: 'ENABLED' | 'ENABLING' | 'DISABLING' | 'DISABLED' | 'ENABLED_BY_DEFAULT';
}

export interface SimMonthlySpend {
  /** YYYY-MM-01 */
  start: string;
  end: string;
  amount: number;
  estimated: boolean;
}

/** Everything one payer account answers with. Generated on first use, then kept. */
export interface SimAccount {
  accountId: string;
  payer: EstatePayer;
  /**
   * The organization DescribeOrganization shows. For a management payer it is the payer's own; for a member payer
   * (profile member-payer) someone else's; a standalone payer (profile standalone-payer) is in none.
   */
  organization: { id: string; arn: string; masterEmail: string; managementAccountId: string };
  organizationStanding: 'management' | 'member' | 'standalone';
  members: SimMemberAccount[];
  contact: {
    FullName: string;
    CompanyName: string;
    AddressLine1: string;
    City: string;
    PostalCode: string;
    CountryCode: string;
    PhoneNumber: string;
    WebsiteUrl: string;
  };
  alternateContacts: Partial<Record<'BILLING' | 'SECURITY' | 'OPERATIONS', SimAlternateContact>>;
  root: {
    createDate: Date;
    mfa: 'none' | 'virtual' | 'hardware';
    mfaEnableDate?: Date;
    accessKey: boolean;
    signingCert: boolean;
    passwordLastUsed?: Date;
  };
  centralRootAccess: boolean;
  /** Trusted access for IAM in Organizations (profile central-root-untrusted turns it off). */
  iamTrustedAccess: boolean;
  users: SimUser[];
  groups: SimGroup[];
  roles: SimRole[];
  /** Customer managed policies only; AWS managed ones live in aws-managed-policies.ts. */
  policies: SimManagedPolicy[];
  /** Extra virtual MFA devices nobody has claimed yet. */
  unassignedMfaDevices: { serialNumber: string }[];
  /** Newest first, all within CloudTrail's 90-day lookup window. */
  events: SimEvent[];
  trails: SimTrail[];
  /** Every region's rules (see SimRule.region). */
  rules: SimRule[];
  /** What Account ListRegions answers: every commercial region with its opt-in status. */
  regions: SimRegion[];
  spend: SimMonthlySpend[];
  /** "service:Action" the collector role is explicitly denied (profile api-denied). */
  collectorDeniedApis: string[];
}

export interface EstateSummary {
  seed: number;
  partners: number;
  payers: number;
  hubAccountId: string;
  profileCounts: Record<string, number>;
}

export interface Estate {
  seed: number;
  /** The instant every relative timestamp (events, spend months) is measured from. */
  now: Date;
  settings: DistributorSettings;
  partners: EstatePartner[];
  payers: EstatePayer[];
  payer(accountId: string): EstatePayer | undefined;
  /** The account's full contents, generated on first call and kept; undefined for an account not in the estate. */
  account(accountId: string): SimAccount | undefined;
  registry(): RegistryEntry[];
  summary(): EstateSummary;
  /**
   * What deploying deploy/collector-role.yaml in `accountId` does: its collector role now trusts `externalId`. An
   * account outside the generated estate becomes a new, compliant payer (a partner being onboarded); it answers like
   * any other but is not in partners, payers or registry(), which list the generated estate.
   */
  deployCollectorRole(accountId: string, externalId: string): { created: boolean };
}
