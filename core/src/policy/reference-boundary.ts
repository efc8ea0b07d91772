import type { PolicyDocument } from '../evidence/types.js';
import { boundaryArnFor, type DistributorSettings } from '../settings.js';

/**
 * The distributor's recommended permissions boundary: the template partners see on onboarding and the document the
 * drift control compares with when no approved document is configured.
 *
 * The statement Sids are a contract: the simulator builds "hole" profiles by removing statements by Sid, and
 * docs/boundary.md explains each one. Never rename them.
 */
export const REFERENCE_SIDS = [
  'AllowAll',
  'DenyBoundaryTampering',
  'DenyUnboundedPrincipals',
  'DenyPassUnboundedRole',
  'DenyDistributorData',
  'DenyBillingViews',
  'DenyGovernanceTampering',
] as const;
export type ReferenceSid = (typeof REFERENCE_SIDS)[number];

/**
 * Roles a partner creates under this path may be passed to services and assumed. No IAM condition key tells
 * iam:PassRole or sts:AssumeRole whether the target role carries a boundary, so the boundary cannot test it
 * directly; a path can, because a role's path is fixed at creation and DenyUnboundedPrincipals makes every role
 * created under the boundary carry it. Tags would not do: a partner admin can tag any role.
 */
export const BOUNDED_ROLE_PATH = '/bounded/';

/** Reads that show what the distributor pays AWS, i.e. its margin, beyond the configured billingActions. */
export const MARGIN_READ_ACTIONS = [
  'ce:Get*',
  'ce:Describe*',
  'aws-portal:View*',
  'billing:Get*',
  'billing:List*',
  'cur:Describe*',
  'cur:Get*',
  'invoicing:Get*',
  'invoicing:List*',
  'consolidatedbilling:Get*',
  'consolidatedbilling:List*',
  'bcm-data-exports:Get*',
  'bcm-data-exports:List*',
];

/** IAM writes that would change, remove or hijack a principal (its policies, credentials, trust, tags, itself). */
export const IAM_PRINCIPAL_WRITES = [
  'iam:Add*',
  'iam:Attach*',
  'iam:Create*',
  'iam:Deactivate*',
  'iam:Delete*',
  'iam:Detach*',
  'iam:Enable*',
  'iam:Put*',
  'iam:Remove*',
  'iam:Reset*',
  'iam:Resync*',
  'iam:Set*',
  'iam:Tag*',
  'iam:Untag*',
  'iam:Update*',
  'iam:Upload*',
];

const pathArn = (accountId: string, kind: 'role' | 'user', path: string) =>
  `arn:aws:iam::${accountId}:${kind}${path.endsWith('/') ? path : `${path}/`}*`;

export function referenceBoundary(settings: DistributorSettings, accountId: string): PolicyDocument {
  const boundaryArn = boundaryArnFor(settings, accountId);
  const p = settings.protectedResources;
  const distributorPaths = settings.distributorPrincipals.paths.length
    ? settings.distributorPrincipals.paths
    : ['/distributor/'];
  const unique = (xs: string[]) => [...new Set(xs)];
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AllowAll', Effect: 'Allow', Action: '*', Resource: '*' },
      {
        Sid: 'DenyBoundaryTampering',
        Effect: 'Deny',
        Action: [
          'iam:CreatePolicyVersion',
          'iam:DeletePolicy',
          'iam:DeletePolicyVersion',
          'iam:SetDefaultPolicyVersion',
          'iam:DeleteUserPermissionsBoundary',
          'iam:DeleteRolePermissionsBoundary',
        ],
        // Policy actions only ever name the boundary ARN and the Delete*PermissionsBoundary actions only a user or
        // role, so one statement covers both without denying changes to any other policy.
        Resource: [boundaryArn, `arn:aws:iam::${accountId}:user/*`, `arn:aws:iam::${accountId}:role/*`],
      },
      {
        Sid: 'DenyUnboundedPrincipals',
        Effect: 'Deny',
        Action: [
          'iam:CreateUser',
          'iam:CreateRole',
          'iam:PutUserPermissionsBoundary',
          'iam:PutRolePermissionsBoundary',
          // These carry the target's current boundary in iam:PermissionsBoundary, so the same condition stops a
          // partner admin from granting permissions to a user or role that is not fenced.
          'iam:AttachUserPolicy',
          'iam:AttachRolePolicy',
          'iam:PutUserPolicy',
          'iam:PutRolePolicy',
          'iam:UpdateAssumeRolePolicy',
        ],
        Resource: '*',
        // StringNotEquals also matches when the key is absent, i.e. a create request with no boundary at all.
        Condition: { StringNotEquals: { 'iam:PermissionsBoundary': boundaryArn } },
      },
      {
        Sid: 'DenyPassUnboundedRole',
        Effect: 'Deny',
        Action: ['iam:PassRole', 'sts:AssumeRole'],
        NotResource: unique([
          pathArn(accountId, 'role', BOUNDED_ROLE_PATH),
          ...distributorPaths.map((path) => pathArn(accountId, 'role', path)),
        ]),
        // Only this payer's roles: assuming roles in member accounts (OrganizationAccountAccessRole) stays allowed.
        Condition: { StringEquals: { 'aws:ResourceAccount': accountId } },
      },
      {
        Sid: 'DenyDistributorData',
        Effect: 'Deny',
        Action: 's3:*',
        Resource: p.s3Buckets.length
          ? p.s3Buckets.flatMap((b) => [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`])
          : ['arn:aws:s3:::distributor-private-data-unset'],
      },
      {
        Sid: 'DenyBillingViews',
        Effect: 'Deny',
        Action: unique([...p.billingActions, ...MARGIN_READ_ACTIONS]),
        Resource: '*',
      },
      {
        Sid: 'DenyGovernanceTampering',
        Effect: 'Deny',
        Action: unique([
          ...IAM_PRINCIPAL_WRITES,
          'events:DeleteRule',
          'events:DisableRule',
          'events:PutRule',
          'events:PutTargets',
          'events:RemoveTargets',
          'events:TagResource',
          'events:UntagResource',
          'cloudtrail:DeleteTrail',
          'cloudtrail:StopLogging',
          'cloudtrail:UpdateTrail',
          'cloudtrail:PutEventSelectors',
          'cloudtrail:PutInsightSelectors',
          'cloudtrail:RemoveTags',
          'cloudformation:DeleteStack',
          'cloudformation:UpdateStack',
          'cloudformation:CancelUpdateStack',
          'cloudformation:ContinueUpdateRollback',
          'cloudformation:SetStackPolicy',
          'cloudformation:UpdateTerminationProtection',
          'cloudformation:CreateChangeSet',
          'cloudformation:ExecuteChangeSet',
          'cloudformation:TagResource',
          'cloudformation:UntagResource',
        ]),
        Resource: unique([
          ...[settings.collectorRoleName, settings.billingRoleName, ...settings.distributorPrincipals.names].flatMap(
            (n) => [`arn:aws:iam::${accountId}:role/${n}`, `arn:aws:iam::${accountId}:user/${n}`],
          ),
          ...distributorPaths.flatMap((path) => [pathArn(accountId, 'role', path), pathArn(accountId, 'user', path)]),
          `arn:aws:events:*:${accountId}:rule/${p.monitorRuleName}`,
          `arn:aws:events:*:${accountId}:rule/*/${p.monitorRuleName}`,
          `arn:aws:cloudtrail:*:${accountId}:trail/${p.trailName}`,
          `arn:aws:cloudformation:*:${accountId}:stack/${p.governanceStackName}/*`,
        ]),
      },
    ],
  };
}
