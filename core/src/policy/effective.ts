import type {
  AuthorizationDetails,
  IamGroup,
  IamRole,
  IamUser,
  ManagedPolicy,
  PolicyDocument,
} from '../evidence/types.js';
import { type NamedPolicy, validatePolicyDocument } from './engine.js';

/**
 * Documents of the AWS managed policies most often seen on administrators, for evidence that names them without
 * listing them (GetAccountAuthorizationDetails lists an AWS managed policy only when asked with its filter). Used
 * only when the evidence itself has no document for the ARN.
 */
export const KNOWN_AWS_MANAGED: Record<string, PolicyDocument> = {
  'arn:aws:iam::aws:policy/AdministratorAccess': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  },
  'arn:aws:iam::aws:policy/PowerUserAccess': {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: [
          'account:GetAccountInformation',
          'account:GetPrimaryEmail',
          'account:ListRegions',
          'iam:CreateServiceLinkedRole',
          'iam:DeleteServiceLinkedRole',
          'iam:ListRoles',
          'organizations:DescribeOrganization',
        ],
        Resource: '*',
      },
    ],
  },
  'arn:aws:iam::aws:policy/IAMFullAccess': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'iam:*',
          'organizations:DescribeAccount',
          'organizations:DescribeOrganization',
          'organizations:DescribeOrganizationalUnit',
          'organizations:DescribePolicy',
          'organizations:ListChildren',
          'organizations:ListParents',
          'organizations:ListPoliciesForTarget',
          'organizations:ListRoots',
          'organizations:ListPolicies',
          'organizations:ListTargetsForPolicy',
        ],
        Resource: '*',
      },
    ],
  },
  'arn:aws:iam::aws:policy/IAMUserChangePassword': {
    Version: '2012-10-17',
    Statement: [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
      { Effect: 'Allow', Action: ['iam:ChangePassword'], Resource: ['arn:aws:iam::*:user/${aws:username}'] },
      { Effect: 'Allow', Action: ['iam:GetAccountPasswordPolicy'], Resource: '*' },
    ],
  },
};

export function defaultVersionDocument(p: ManagedPolicy): PolicyDocument | undefined {
  const versions = Array.isArray(p.versions) ? p.versions : [];
  const v = versions.find((x) => x.isDefaultVersion) ?? versions.find((x) => x.versionId === p.defaultVersionId);
  return v?.document;
}

/** Resolves managed-policy ARNs to their default-version documents, from the evidence first. */
export class PolicyIndex {
  private readonly byArn = new Map<string, ManagedPolicy>();
  constructor(details: Pick<AuthorizationDetails, 'policies'>) {
    for (const p of details.policies ?? []) this.byArn.set(p.arn, p);
  }
  managed(arn: string): ManagedPolicy | undefined {
    return this.byArn.get(arn);
  }
  document(arn: string): PolicyDocument | undefined {
    const p = this.byArn.get(arn);
    return (p && defaultVersionDocument(p)) ?? KNOWN_AWS_MANAGED[arn];
  }
  // Principals of a payer share managed policies and their groups' documents: validate each document once per
  // analysis (the index lives as long as one analysis of one payer's evidence).
  private readonly validated = new WeakMap<object, string[]>();
  problems(doc: PolicyDocument): string[] {
    if (typeof doc !== 'object' || doc === null) return validatePolicyDocument(doc);
    let problems = this.validated.get(doc);
    if (!problems) {
      problems = validatePolicyDocument(doc);
      this.validated.set(doc, problems);
    }
    return [...problems];
  }
}

export interface EffectivePolicies {
  identity: NamedPolicy[];
  /** The boundary document, when the principal has a boundary and its document is known. */
  boundary: NamedPolicy | null;
  boundaryArn?: string;
  /** Managed policies (or the boundary) named by ARN whose document the evidence does not hold. */
  unresolved: string[];
  /** Policies left out because their document is not a valid IAM policy. */
  invalid: { name: string; problems: string[] }[];
}

const groupKey = (g: IamGroup) => [g.name, g.arn];

/**
 * Everything that grants a principal permissions: inline and attached managed policies, and for users the inline
 * and managed policies of their groups. The boundary is kept apart: it limits, never grants.
 */
export function effectivePolicies(
  principal: IamUser | IamRole,
  details: AuthorizationDetails,
  index: PolicyIndex = new PolicyIndex(details),
): EffectivePolicies {
  const identity: NamedPolicy[] = [];
  const unresolved: string[] = [];
  const invalid: { name: string; problems: string[] }[] = [];
  const add = (name: string, document: PolicyDocument | undefined, ref?: string) => {
    if (!document) {
      if (ref) unresolved.push(ref);
      return;
    }
    const problems = index.problems(document);
    if (problems.length) invalid.push({ name, problems });
    else identity.push({ name, document });
  };
  for (const p of principal.inlinePolicies) add(`inline:${p.name}`, p.document);
  for (const a of principal.attachedPolicies) add(a.name || a.arn, index.document(a.arn), a.arn);
  if ('groups' in principal) {
    const groups = new Map<string, IamGroup>();
    for (const g of details.groups) for (const k of groupKey(g)) groups.set(k, g);
    for (const gName of principal.groups) {
      const g = groups.get(gName);
      if (!g) continue;
      for (const p of g.inlinePolicies) add(`group ${g.name} inline:${p.name}`, p.document);
      for (const a of g.attachedPolicies) add(`group ${g.name} ${a.name || a.arn}`, index.document(a.arn), a.arn);
    }
  }
  let boundary: NamedPolicy | null = null;
  if (principal.permissionsBoundaryArn) {
    const doc = index.document(principal.permissionsBoundaryArn);
    const name = principal.permissionsBoundaryArn.slice(principal.permissionsBoundaryArn.lastIndexOf('/') + 1);
    if (!doc) unresolved.push(principal.permissionsBoundaryArn);
    else {
      const problems = index.problems(doc);
      if (problems.length) invalid.push({ name: `boundary ${name}`, problems });
      else boundary = { name, document: doc };
    }
  }
  return {
    identity,
    boundary,
    ...(principal.permissionsBoundaryArn ? { boundaryArn: principal.permissionsBoundaryArn } : {}),
    unresolved: [...new Set(unresolved)],
    invalid,
  };
}
