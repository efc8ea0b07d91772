import type { PayerTargets } from './targets.js';

/**
 * Known ways a fenced (permissions-bounded) IAM administrator escapes the fence, and the distributor's resources
 * the fence must keep out of reach. Each method lists the realistic requests ("routes") that make it work; a route
 * is open when the simulator allows every one of its steps. Requests carry the context AWS would send (e.g.
 * iam:PermissionsBoundary on CreateRole, iam:PassedToService on PassRole), so conditions are honoured.
 */

export interface ProbeStep {
  action: string;
  /** Concrete ARN, or "*" for actions without resource-level permissions. */
  resource: string;
  /** Service-specific context keys; global keys (aws:PrincipalArn, aws:ResourceAccount, ...) are added later. */
  context?: Record<string, string | string[]>;
  /** The resource's tags were removed by an earlier step: do not send them as aws:ResourceTag. */
  untagged?: boolean;
}

export interface Route {
  steps: ProbeStep[];
  /** The step whose action is "left open" in findings (default 0). */
  report?: number;
  /** What this route adds to the method's explanation (e.g. "after tagging the role"). */
  note?: string;
}

export interface EscalationMethod {
  id: string;
  title: string;
  kind: 'escalation' | 'protection';
  /** The actions that make it work. */
  actions: string[];
  /** Which resources they must reach, in words and ARN patterns. */
  resourcePattern: string;
  /** Step by step, how a partner admin would use it. */
  explanation: string[];
  routes(t: PayerTargets): Route[];
}

const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** "service:Action" (wildcards allowed): settings are typed by people, and a malformed name cannot be simulated. */
export const isActionName = (a: unknown): a is string =>
  typeof a === 'string' && /^[a-z0-9-]+:[A-Za-z0-9*?]+$/i.test(a);

/** Reads that reveal costs as the distributor sees them, always probed besides settings.billingActions. */
export const MARGIN_PROBE_ACTIONS = [
  'ce:GetCostAndUsage',
  'ce:GetCostAndUsageWithResources',
  'ce:GetCostForecast',
  'aws-portal:ViewBilling',
  'billing:GetBillingData',
  'billing:GetBillingDetails',
];
const iam = (t: PayerTargets, rest: string) => `arn:aws:iam::${t.accountId}:${rest}`;

/** Boundaries a partner admin would rather set than the distributor's: none, AWS admin, their own, look-alikes. */
function otherBoundaries(t: PayerTargets): (string | undefined)[] {
  const out: (string | undefined)[] = [undefined, ADMIN_POLICY, iam(t, 'policy/partner-own-boundary')];
  if (t.boundaryPath !== '/') out.push(iam(t, `policy/${t.boundaryName}`));
  out.push(iam(t, `policy/partner/${t.boundaryName}`));
  return out;
}
const pbContext = (pb: string | undefined): Record<string, string> => (pb ? { 'iam:PermissionsBoundary': pb } : {});

/** A policy the partner creates next to the boundary (same path, similar name) and then uses as a boundary. */
const lookalike = (t: PayerTargets) => iam(t, `policy${t.boundaryPath}${t.boundaryName}-copy`);
const createLookalike = (t: PayerTargets): ProbeStep => ({ action: 'iam:CreatePolicy', resource: lookalike(t) });

/** Routes that need `principal` to carry some boundary: absent/other ARNs, plus a look-alike created first. */
function withOtherBoundary(t: PayerTargets, step: (pb: string | undefined) => ProbeStep): Route[] {
  return [
    ...otherBoundaries(t).map((pb) => ({
      steps: [step(pb)],
      note: pb ? `with ${pb} as boundary` : 'with no boundary',
    })),
    {
      steps: [createLookalike(t), step(lookalike(t))],
      report: 1,
      note: `after creating the look-alike policy ${lookalike(t)} next to the boundary`,
    },
  ];
}

function tagForgery(
  t: PayerTargets,
  role: string,
  build: (extraContext: Record<string, string>) => ProbeStep[],
): Route[] {
  return t.forgeableTags.map(({ key, value }) => ({
    steps: [
      { action: 'iam:TagRole', resource: role, context: { [`aws:RequestTag/${key}`]: value, 'aws:TagKeys': [key] } },
      ...build({ [`aws:ResourceTag/${key}`]: value, [`iam:ResourceTag/${key}`]: value }),
    ],
    report: 0,
    note: `the boundary lets roles tagged ${key}=${value} through, and the partner admin can put that tag on a role without the boundary`,
  }));
}

function passRole(
  id: string,
  title: string,
  service: string,
  serviceActions: string[],
  serviceSteps: (t: PayerTargets, role: string) => ProbeStep[],
  explanation: string[],
): EscalationMethod {
  return {
    id,
    title,
    kind: 'escalation',
    actions: ['iam:PassRole', ...serviceActions],
    resourcePattern:
      'any role in the payer without the boundary (arn:aws:iam::<payer>:role/*), outside the distributor paths',
    explanation,
    routes: (t) =>
      t.unboundedRoles
        .filter((role) => trusts(t, role, service))
        .flatMap((role) => {
          const pass = (extra: Record<string, string>): ProbeStep => ({
            action: 'iam:PassRole',
            resource: role,
            context: { 'iam:PassedToService': service, ...extra },
          });
          return [
            { steps: [pass({}), ...serviceSteps(t, role)] },
            ...tagForgery(t, role, (extra) => [pass(extra), ...serviceSteps(t, role)]),
          ];
        }),
  };
}

/**
 * A principal protected only by its tags is protected only while it keeps them: besides each route as the principal
 * is, try it after removing its tags.
 */
function withUntagging(t: PayerTargets, untag: string, arns: string[], routes: (arn: string) => Route[]): Route[] {
  return arns.flatMap((arn) => {
    const direct = routes(arn);
    const keys = Object.keys(t.resourceTags?.[arn] ?? {});
    if (!keys.length) return direct;
    return [
      ...direct,
      ...direct.map((r) => ({
        steps: [
          { action: untag, resource: arn, context: { 'aws:TagKeys': keys } },
          ...r.steps.map((s) => ({ ...s, untagged: true })),
        ],
        report: 0,
        note: `after removing its tags (${keys.join(', ')}), then ${r.steps.map((s) => s.action).join(' then ')}`,
      })),
    ];
  });
}

/** Whether `role` trusts the payer (no service given) or `service`; unknown trust counts as yes. */
function trusts(t: PayerTargets, role: string, service?: string): boolean {
  const trust = t.roleTrust?.[role];
  if (!trust) return true;
  return service ? trust.services.includes(service) || trust.services.includes('*') : trust.account;
}

const region = (t: PayerTargets) => t.regions[0] ?? 'us-east-1';

export const ESCALATION_METHODS: EscalationMethod[] = [
  // ---------------------------------------------------------------- the boundary policy itself
  {
    id: 'boundary-create-policy-version',
    title: 'Rewrite the boundary with a new policy version',
    kind: 'escalation',
    actions: ['iam:CreatePolicyVersion'],
    resourcePattern: 'the boundary policy ARN',
    explanation: [
      'Call iam:CreatePolicyVersion on the boundary policy with a document that allows everything, and SetAsDefault=true.',
      'Every user and role fenced by the boundary is now fenced by the new, empty fence.',
    ],
    routes: (t) => [{ steps: [{ action: 'iam:CreatePolicyVersion', resource: t.boundaryArn }] }],
  },
  {
    id: 'boundary-set-default-policy-version',
    title: 'Switch the boundary to an older, weaker version',
    kind: 'escalation',
    actions: ['iam:SetDefaultPolicyVersion'],
    resourcePattern: 'the boundary policy ARN',
    explanation: [
      'List the boundary policy versions; pick one that was more permissive (or one created earlier by the partner).',
      'Call iam:SetDefaultPolicyVersion to make it the version in force.',
    ],
    routes: (t) => [{ steps: [{ action: 'iam:SetDefaultPolicyVersion', resource: t.boundaryArn }] }],
  },
  {
    id: 'boundary-delete-policy-version',
    title: 'Delete versions of the boundary policy',
    kind: 'escalation',
    actions: ['iam:DeletePolicyVersion'],
    resourcePattern: 'the boundary policy ARN',
    explanation: [
      'Delete the non-default versions of the boundary (the approved history), making room for partner-made versions',
      'and removing the record the distributor compares with.',
    ],
    routes: (t) => [{ steps: [{ action: 'iam:DeletePolicyVersion', resource: t.boundaryArn }] }],
  },
  {
    id: 'boundary-delete-policy',
    title: 'Delete the boundary policy',
    kind: 'escalation',
    actions: ['iam:DeletePolicy'],
    resourcePattern: 'the boundary policy ARN',
    explanation: ['Detach the boundary where possible, then call iam:DeletePolicy: the fence no longer exists.'],
    routes: (t) => [{ steps: [{ action: 'iam:DeletePolicy', resource: t.boundaryArn }] }],
  },
  {
    id: 'boundary-remove-user',
    title: 'Remove the boundary from a user',
    kind: 'escalation',
    actions: ['iam:DeleteUserPermissionsBoundary'],
    resourcePattern: 'any user carrying the boundary (arn:aws:iam::<payer>:user/*), including the caller',
    explanation: [
      'Call iam:DeleteUserPermissionsBoundary on yourself or another fenced user: its policies apply unfenced.',
    ],
    routes: (t) =>
      t.boundedUsers.map((u) => ({
        steps: [{ action: 'iam:DeleteUserPermissionsBoundary', resource: u, context: pbContext(t.boundaryArn) }],
      })),
  },
  {
    id: 'boundary-remove-role',
    title: 'Remove the boundary from a role',
    kind: 'escalation',
    actions: ['iam:DeleteRolePermissionsBoundary'],
    resourcePattern: 'any role carrying the boundary (arn:aws:iam::<payer>:role/*), including the caller',
    explanation: [
      'Call iam:DeleteRolePermissionsBoundary on a fenced role, then assume it: its policies apply unfenced.',
    ],
    routes: (t) =>
      t.boundedRoles.map((r) => ({
        steps: [{ action: 'iam:DeleteRolePermissionsBoundary', resource: r, context: pbContext(t.boundaryArn) }],
      })),
  },
  {
    id: 'boundary-replace-user',
    title: 'Replace a user boundary with another policy',
    kind: 'escalation',
    actions: ['iam:PutUserPermissionsBoundary'],
    resourcePattern: 'any fenced user; iam:PermissionsBoundary other than the boundary ARN',
    explanation: [
      'Call iam:PutUserPermissionsBoundary on a fenced user with a different policy (AdministratorAccess, a policy the',
      'partner wrote, or a look-alike created next to the boundary): the user is now fenced by a fence the partner chose.',
    ],
    routes: (t) =>
      t.boundedUsers.slice(0, 1).flatMap((u) =>
        withOtherBoundary(t, (pb) => ({
          action: 'iam:PutUserPermissionsBoundary',
          resource: u,
          context: pbContext(pb),
        })).filter((r) => r.steps.some((s) => s.context?.['iam:PermissionsBoundary'])),
      ),
  },
  {
    id: 'boundary-replace-role',
    title: 'Replace a role boundary with another policy',
    kind: 'escalation',
    actions: ['iam:PutRolePermissionsBoundary'],
    resourcePattern: 'any fenced role; iam:PermissionsBoundary other than the boundary ARN',
    explanation: [
      'Call iam:PutRolePermissionsBoundary on a fenced role with a policy other than the boundary, then assume the role.',
    ],
    routes: (t) =>
      t.boundedRoles.slice(0, 1).flatMap((r) =>
        withOtherBoundary(t, (pb) => ({
          action: 'iam:PutRolePermissionsBoundary',
          resource: r,
          context: pbContext(pb),
        })).filter((route) => route.steps.some((s) => s.context?.['iam:PermissionsBoundary'])),
      ),
  },
  // ---------------------------------------------------------------- new principals
  {
    id: 'create-user-unbounded',
    title: 'Create a user without the boundary',
    kind: 'escalation',
    actions: ['iam:CreateUser'],
    resourcePattern: 'arn:aws:iam::<payer>:user/*; iam:PermissionsBoundary absent or another policy',
    explanation: [
      'Call iam:CreateUser with no PermissionsBoundary (or another policy as boundary).',
      'Attach AdministratorAccess and create an access key: an administrator outside the fence.',
    ],
    routes: (t) =>
      [iam(t, 'user/escalated-user'), ...t.extraUserArns].flatMap((arn) =>
        withOtherBoundary(t, (pb) => ({ action: 'iam:CreateUser', resource: arn, context: pbContext(pb) })),
      ),
  },
  {
    id: 'create-role-unbounded',
    title: 'Create a role without the boundary',
    kind: 'escalation',
    actions: ['iam:CreateRole'],
    resourcePattern: 'arn:aws:iam::<payer>:role/* (any path); iam:PermissionsBoundary absent or another policy',
    explanation: [
      'Call iam:CreateRole with no PermissionsBoundary (or another policy), trusting an account the partner controls.',
      'Attach AdministratorAccess and assume the role from outside: an administrator outside the fence.',
    ],
    routes: (t) =>
      [iam(t, 'role/escalated-role'), ...t.extraRoleArns].flatMap((arn) =>
        withOtherBoundary(t, (pb) => ({ action: 'iam:CreateRole', resource: arn, context: pbContext(pb) })),
      ),
  },
  {
    id: 'create-principal-with-named-policy',
    title: 'Create or rewrite another policy the boundary accepts, then create a principal fenced only by it',
    kind: 'escalation',
    actions: ['iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:CreateUser', 'iam:CreateRole'],
    resourcePattern:
      "the policies the boundary's iam:PermissionsBoundary condition accepts besides itself; arn:aws:iam::<payer>:user/*, role/*",
    explanation: [
      "The boundary's iam:PermissionsBoundary condition accepts another policy besides the boundary, and that policy is not protected as the boundary is.",
      'Create that policy (or write a new default version of it) with an Allow-* document, then create a user or role with it as permissions boundary.',
      'Attach AdministratorAccess to the new principal: it is fenced only by a policy the partner wrote, which is no fence.',
    ],
    routes: (t) =>
      (t.otherNamedBoundaries ?? []).flatMap((policy) =>
        (
          [
            ['iam:CreatePolicy', 'create'],
            ['iam:CreatePolicyVersion', 'rewrite'],
          ] as const
        ).flatMap(([action, verb]) =>
          (
            [
              ['iam:CreateUser', iam(t, 'user/escalated-user')],
              ['iam:CreateRole', iam(t, 'role/escalated-role')],
            ] as const
          ).map(([create, arn]) => ({
            steps: [
              { action, resource: policy },
              { action: create, resource: arn, context: pbContext(policy) },
            ],
            report: 0,
            note: `${verb} ${policy}, then ${create.slice(4)} ${arn} with it as boundary`,
          })),
        ),
      ),
  },
  // ---------------------------------------------------------------- passing and assuming unfenced roles
  passRole(
    'passrole-ec2',
    'Pass an unfenced role to an EC2 instance',
    'ec2.amazonaws.com',
    ['ec2:RunInstances'],
    (t) => [
      { action: 'ec2:RunInstances', resource: `arn:aws:ec2:${region(t)}:${t.accountId}:instance/i-0payerguardprobe0` },
    ],
    [
      'Launch an instance with an instance profile holding a role that has no boundary (iam:PassRole + ec2:RunInstances).',
      'Read the role credentials from the instance metadata service: they act without the fence.',
    ],
  ),
  passRole(
    'passrole-lambda',
    'Pass an unfenced role to a Lambda function',
    'lambda.amazonaws.com',
    ['lambda:CreateFunction'],
    (t) => [
      {
        action: 'lambda:CreateFunction',
        resource: `arn:aws:lambda:${region(t)}:${t.accountId}:function:payerguard-probe`,
      },
    ],
    [
      'Create a function whose execution role has no boundary (iam:PassRole + lambda:CreateFunction) and invoke it.',
      'The function code runs with the role permissions, outside the fence.',
    ],
  ),
  passRole(
    'passrole-cloudformation',
    'Pass an unfenced role to CloudFormation',
    'cloudformation.amazonaws.com',
    ['cloudformation:CreateStack'],
    (t, role) => [
      {
        action: 'cloudformation:CreateStack',
        resource: `arn:aws:cloudformation:${region(t)}:${t.accountId}:stack/payerguard-probe/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9`,
        context: { 'cloudformation:RoleArn': role },
      },
    ],
    [
      'Create a stack with RoleARN set to a role that has no boundary (iam:PassRole + cloudformation:CreateStack).',
      'CloudFormation creates whatever the template says (an admin user, say) with that role, outside the fence.',
    ],
  ),
  passRole(
    'passrole-glue',
    'Pass an unfenced role to an AWS Glue job',
    'glue.amazonaws.com',
    ['glue:CreateJob'],
    (t) => [{ action: 'glue:CreateJob', resource: `arn:aws:glue:${region(t)}:${t.accountId}:job/payerguard-probe` }],
    [
      'Create a Glue job (or dev endpoint) running as a role without the boundary and run a script with its credentials.',
    ],
  ),
  passRole(
    'passrole-ecs',
    'Pass an unfenced role to an ECS task',
    'ecs-tasks.amazonaws.com',
    ['ecs:RegisterTaskDefinition', 'ecs:RunTask'],
    (t) => [
      {
        action: 'ecs:RegisterTaskDefinition',
        resource: `arn:aws:ecs:${region(t)}:${t.accountId}:task-definition/payerguard-probe:1`,
      },
      { action: 'ecs:RunTask', resource: `arn:aws:ecs:${region(t)}:${t.accountId}:task-definition/payerguard-probe:1` },
    ],
    ['Register a task definition whose task role has no boundary, run it, and use the task role credentials.'],
  ),
  passRole(
    'passrole-codebuild',
    'Pass an unfenced role to a CodeBuild project',
    'codebuild.amazonaws.com',
    ['codebuild:CreateProject'],
    (t) => [
      {
        action: 'codebuild:CreateProject',
        resource: `arn:aws:codebuild:${region(t)}:${t.accountId}:project/payerguard-probe`,
      },
    ],
    ['Create a build project with a service role that has no boundary; the buildspec runs with its credentials.'],
  ),
  passRole(
    'passrole-sagemaker',
    'Pass an unfenced role to a SageMaker notebook',
    'sagemaker.amazonaws.com',
    ['sagemaker:CreateNotebookInstance'],
    (t) => [
      {
        action: 'sagemaker:CreateNotebookInstance',
        resource: `arn:aws:sagemaker:${region(t)}:${t.accountId}:notebook-instance/payerguard-probe`,
      },
    ],
    ['Create a notebook instance with an execution role that has no boundary and open a terminal in it.'],
  ),
  {
    id: 'assume-unbounded-role',
    title: 'Assume a role that has no boundary',
    kind: 'escalation',
    actions: ['sts:AssumeRole'],
    resourcePattern: 'any role in the payer without the boundary, outside the distributor paths',
    explanation: [
      'Call sts:AssumeRole on a role in the payer that has no boundary and trusts the account.',
      'The session acts with the role permissions, outside the fence.',
    ],
    routes: (t) =>
      t.unboundedRoles
        .filter((role) => trusts(t, role))
        .flatMap((role) => [
          { steps: [{ action: 'sts:AssumeRole', resource: role }] },
          ...tagForgery(t, role, (extra) => [{ action: 'sts:AssumeRole', resource: role, context: extra }]),
        ]),
  },
  // ---------------------------------------------------------------- taking over unfenced principals
  {
    id: 'attach-user-policy',
    title: 'Attach a managed policy to an unfenced user',
    kind: 'escalation',
    actions: ['iam:AttachUserPolicy'],
    resourcePattern: 'users without the boundary',
    explanation: ['Attach AdministratorAccess to a user outside the fence, then act as that user.'],
    routes: (t) =>
      t.takeoverUsers.map((u) => ({
        steps: [
          {
            action: 'iam:AttachUserPolicy',
            resource: u.arn,
            context: { 'iam:PolicyARN': ADMIN_POLICY, ...pbContext(u.boundaryArn) },
          },
        ],
      })),
  },
  {
    id: 'attach-group-policy',
    title: 'Attach a managed policy to a group with unfenced members',
    kind: 'escalation',
    actions: ['iam:AttachGroupPolicy'],
    resourcePattern: 'groups with a member that has no boundary',
    explanation: [
      'Attach AdministratorAccess to a group one of whose members has no boundary; that member is now an unfenced admin.',
    ],
    routes: (t) =>
      t.takeoverGroups.map((g) => ({
        steps: [{ action: 'iam:AttachGroupPolicy', resource: g, context: { 'iam:PolicyARN': ADMIN_POLICY } }],
      })),
  },
  {
    id: 'attach-role-policy',
    title: 'Attach a managed policy to an unfenced role',
    kind: 'escalation',
    actions: ['iam:AttachRolePolicy'],
    resourcePattern: 'roles without the boundary',
    explanation: ['Attach AdministratorAccess to a role outside the fence, then assume or pass it.'],
    routes: (t) =>
      t.takeoverRoles.map((r) => ({
        steps: [
          {
            action: 'iam:AttachRolePolicy',
            resource: r.arn,
            context: { 'iam:PolicyARN': ADMIN_POLICY, ...pbContext(r.boundaryArn) },
          },
        ],
      })),
  },
  {
    id: 'put-user-policy',
    title: 'Write an inline policy on an unfenced user',
    kind: 'escalation',
    actions: ['iam:PutUserPolicy'],
    resourcePattern: 'users without the boundary',
    explanation: ['Put an inline Allow * policy on a user outside the fence, then act as that user.'],
    routes: (t) =>
      t.takeoverUsers.map((u) => ({
        steps: [{ action: 'iam:PutUserPolicy', resource: u.arn, context: pbContext(u.boundaryArn) }],
      })),
  },
  {
    id: 'put-group-policy',
    title: 'Write an inline policy on a group with unfenced members',
    kind: 'escalation',
    actions: ['iam:PutGroupPolicy'],
    resourcePattern: 'groups with a member that has no boundary',
    explanation: ['Put an inline Allow * policy on a group one of whose members has no boundary.'],
    routes: (t) => t.takeoverGroups.map((g) => ({ steps: [{ action: 'iam:PutGroupPolicy', resource: g }] })),
  },
  {
    id: 'put-role-policy',
    title: 'Write an inline policy on an unfenced role',
    kind: 'escalation',
    actions: ['iam:PutRolePolicy'],
    resourcePattern: 'roles without the boundary',
    explanation: ['Put an inline Allow * policy on a role outside the fence, then assume or pass it.'],
    routes: (t) =>
      t.takeoverRoles.map((r) => ({
        steps: [{ action: 'iam:PutRolePolicy', resource: r.arn, context: pbContext(r.boundaryArn) }],
      })),
  },
  {
    id: 'add-user-to-group',
    title: 'Add an unfenced user to a powerful group',
    kind: 'escalation',
    actions: ['iam:AddUserToGroup'],
    resourcePattern: 'any group; the user added has no boundary',
    explanation: [
      'Add a user the partner controls and that has no boundary to a group with broad permissions (e.g. Admins).',
    ],
    routes: (t) =>
      t.partnerUnboundedUsers.length
        ? t.joinableGroups.map((g) => ({ steps: [{ action: 'iam:AddUserToGroup', resource: g }] }))
        : [],
  },
  {
    id: 'create-access-key',
    title: 'Create an access key for an unfenced user',
    kind: 'escalation',
    actions: ['iam:CreateAccessKey'],
    resourcePattern: 'users without the boundary',
    explanation: [
      'Call iam:CreateAccessKey for another user who has no boundary and use the key: you act as that user.',
    ],
    routes: (t) => t.takeoverUsers.map((u) => ({ steps: [{ action: 'iam:CreateAccessKey', resource: u.arn }] })),
  },
  {
    id: 'create-login-profile',
    title: 'Give an unfenced user a console password',
    kind: 'escalation',
    actions: ['iam:CreateLoginProfile'],
    resourcePattern: 'users without the boundary and without a password',
    explanation: ['Call iam:CreateLoginProfile for a user with no boundary and sign in to the console as that user.'],
    routes: (t) => t.takeoverUsers.map((u) => ({ steps: [{ action: 'iam:CreateLoginProfile', resource: u.arn }] })),
  },
  {
    id: 'update-login-profile',
    title: 'Reset the console password of an unfenced user',
    kind: 'escalation',
    actions: ['iam:UpdateLoginProfile'],
    resourcePattern: 'users without the boundary that have a password',
    explanation: [
      'Call iam:UpdateLoginProfile to set a new password for a user with no boundary and sign in as that user.',
    ],
    routes: (t) => t.takeoverUsers.map((u) => ({ steps: [{ action: 'iam:UpdateLoginProfile', resource: u.arn }] })),
  },
  {
    id: 'update-assume-role-policy',
    title: 'Re-write the trust policy of an unfenced role',
    kind: 'escalation',
    actions: ['iam:UpdateAssumeRolePolicy'],
    resourcePattern: 'roles without the boundary',
    explanation: [
      'Change the trust policy of a role with no boundary to trust an account or user the partner controls,',
      'then assume the role from there: its permissions apply without the fence.',
    ],
    routes: (t) =>
      t.takeoverRoles.map((r) => ({
        steps: [{ action: 'iam:UpdateAssumeRolePolicy', resource: r.arn, context: pbContext(r.boundaryArn) }],
      })),
  },
  {
    id: 'create-policy-version',
    title: 'Re-write a managed policy attached to an unfenced principal',
    kind: 'escalation',
    actions: ['iam:CreatePolicyVersion'],
    resourcePattern: 'customer-managed policies attached to a user, group or role without the boundary',
    explanation: [
      'Create a new default version (Allow *) of a customer-managed policy that an unfenced principal holds.',
    ],
    routes: (t) => t.takeoverPolicies.map((p) => ({ steps: [{ action: 'iam:CreatePolicyVersion', resource: p }] })),
  },
  {
    id: 'set-default-policy-version',
    title: 'Roll back a managed policy attached to an unfenced principal',
    kind: 'escalation',
    actions: ['iam:SetDefaultPolicyVersion'],
    resourcePattern: 'customer-managed policies attached to a user, group or role without the boundary',
    explanation: ['Make an older, broader version of a policy held by an unfenced principal the default one.'],
    routes: (t) => t.takeoverPolicies.map((p) => ({ steps: [{ action: 'iam:SetDefaultPolicyVersion', resource: p }] })),
  },
  // ---------------------------------------------------------------- what the fence protects
  {
    id: 'distributor-data',
    title: "Read the distributor's private S3 data",
    kind: 'protection',
    actions: [
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
      's3:PutBucketPolicy',
      's3:PutBucketAcl',
      's3:PutObjectAcl',
    ],
    resourcePattern: 'settings.protectedResources.s3Buckets (the bucket and every object in it)',
    explanation: [
      'Read distribution files or cost and usage reports directly, or grant an outside account access through the bucket',
      'policy or an ACL and read them from there.',
    ],
    routes: (t) =>
      t.settings.protectedResources.s3Buckets.flatMap((b) => {
        // What S3 puts in every signed request; the bucket is the payer's.
        const context = {
          's3:ResourceAccount': t.accountId,
          's3:authType': 'REST-HEADER',
          's3:signatureversion': 'AWS4-HMAC-SHA256',
          's3:TlsVersion': '1.3',
        };
        return [
          { steps: [{ action: 's3:GetObject', resource: `arn:aws:s3:::${b}/billing/2026-11/invoice.csv`, context }] },
          {
            steps: [
              { action: 's3:GetObjectVersion', resource: `arn:aws:s3:::${b}/billing/2026-11/invoice.csv`, context },
            ],
          },
          { steps: [{ action: 's3:ListBucket', resource: `arn:aws:s3:::${b}`, context }] },
          { steps: [{ action: 's3:PutBucketPolicy', resource: `arn:aws:s3:::${b}`, context }] },
          { steps: [{ action: 's3:PutBucketAcl', resource: `arn:aws:s3:::${b}`, context }] },
          {
            steps: [{ action: 's3:PutObjectAcl', resource: `arn:aws:s3:::${b}/billing/2026-11/invoice.csv`, context }],
          },
        ];
      }),
  },
  {
    id: 'billing-views',
    title: 'See cost and billing views that show the margin',
    kind: 'protection',
    actions: [...MARGIN_PROBE_ACTIONS],
    resourcePattern:
      'settings.protectedResources.billingActions and the reads above, on * and on the account billing view',
    explanation: [
      'Open Cost Explorer or the billing console in the payer: the costs shown are what the distributor pays AWS,',
      'so comparing them with the partner invoice reveals the distributor margin.',
    ],
    routes: (t) =>
      [
        ...new Set([...t.settings.protectedResources.billingActions.filter(isActionName), ...MARGIN_PROBE_ACTIONS]),
      ].flatMap((action) => [
        { steps: [{ action, resource: '*' }] },
        ...(/^(ce|billing):/.test(action)
          ? [{ steps: [{ action, resource: `arn:aws:billing::${t.accountId}:billingview/primary-${t.accountId}` }] }]
          : []),
      ]),
  },
  {
    id: 'governance-roles',
    title: "Tamper with the distributor's roles",
    kind: 'protection',
    actions: [
      'iam:DeleteRole',
      'iam:UpdateAssumeRolePolicy',
      'iam:DetachRolePolicy',
      'iam:DeleteRolePolicy',
      'iam:PutRolePermissionsBoundary',
    ],
    resourcePattern: 'the collector role, the billing role, and roles named or pathed as the distributor',
    explanation: [
      'Delete the collector or billing role, strip its policies, fence it with a boundary (which blinds it to the',
      'billing views the boundary hides) or change whom it trusts:',
      'the distributor is locked out of (or blind in) an account it pays for.',
    ],
    routes: (t) =>
      withUntagging(t, 'iam:UntagRole', t.distributorRoles, (r) => [
        { steps: [{ action: 'iam:DeleteRole', resource: r }] },
        { steps: [{ action: 'iam:UpdateAssumeRolePolicy', resource: r }] },
        {
          steps: [
            {
              action: 'iam:DetachRolePolicy',
              resource: r,
              context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
            },
          ],
        },
        { steps: [{ action: 'iam:DeleteRolePolicy', resource: r }] },
        { steps: [{ action: 'iam:PutRolePermissionsBoundary', resource: r, context: pbContext(t.boundaryArn) }] },
      ]),
  },
  {
    id: 'governance-users',
    title: "Tamper with the distributor's users",
    kind: 'protection',
    actions: ['iam:DeleteUser', 'iam:DetachUserPolicy', 'iam:DeleteLoginProfile', 'iam:UpdateAccessKey'],
    resourcePattern: 'users under the distributor paths',
    explanation: ['Delete or disable a distributor user (break-glass, automation) in the payer.'],
    routes: (t) =>
      withUntagging(t, 'iam:UntagUser', t.distributorUsers, (u) => [
        { steps: [{ action: 'iam:DeleteUser', resource: u }] },
        { steps: [{ action: 'iam:DetachUserPolicy', resource: u, context: { 'iam:PolicyARN': ADMIN_POLICY } }] },
        { steps: [{ action: 'iam:DeleteLoginProfile', resource: u }] },
        { steps: [{ action: 'iam:UpdateAccessKey', resource: u }] },
      ]),
  },
  {
    id: 'governance-monitor-rule',
    title: 'Disable or redirect the root-activity monitor',
    kind: 'protection',
    actions: ['events:DisableRule', 'events:DeleteRule', 'events:PutRule', 'events:RemoveTargets', 'events:PutTargets'],
    resourcePattern: 'arn:aws:events:<region>:<payer>:rule/<monitorRuleName>',
    explanation: [
      'Disable, delete, re-pattern or re-target the EventBridge rule that forwards root events to the distributor.',
    ],
    routes: (t) =>
      t.monitorRuleArns.flatMap((rule) =>
        ['events:DisableRule', 'events:DeleteRule', 'events:PutRule', 'events:RemoveTargets', 'events:PutTargets'].map(
          (action) => ({
            steps: [{ action, resource: rule }],
          }),
        ),
      ),
  },
  {
    id: 'governance-trail',
    title: 'Stop, delete or blind the CloudTrail trail',
    kind: 'protection',
    actions: [
      'cloudtrail:StopLogging',
      'cloudtrail:DeleteTrail',
      'cloudtrail:UpdateTrail',
      'cloudtrail:PutEventSelectors',
    ],
    resourcePattern: 'arn:aws:cloudtrail:<region>:<payer>:trail/<trailName>',
    explanation: ['Stop logging, delete the trail, point it elsewhere or select no events: root use goes unseen.'],
    routes: (t) =>
      t.trailArns.flatMap((trail) =>
        [
          'cloudtrail:StopLogging',
          'cloudtrail:DeleteTrail',
          'cloudtrail:UpdateTrail',
          'cloudtrail:PutEventSelectors',
        ].map((action) => ({
          steps: [{ action, resource: trail }],
        })),
      ),
  },
  {
    id: 'governance-stack',
    title: 'Delete or change the governance stack',
    kind: 'protection',
    actions: [
      'cloudformation:DeleteStack',
      'cloudformation:UpdateStack',
      'cloudformation:CreateChangeSet',
      'cloudformation:ExecuteChangeSet',
    ],
    resourcePattern: 'arn:aws:cloudformation:<region>:<payer>:stack/<governanceStackName>/*',
    explanation: [
      'Delete or update the CloudFormation stack that deploys the governance tooling (directly or through a change set);',
      'CloudFormation then removes the collector role, the monitor rule and the trail with its own rights.',
    ],
    routes: (t) =>
      t.stackArns.flatMap((stack) => [
        { steps: [{ action: 'cloudformation:DeleteStack', resource: stack }] },
        { steps: [{ action: 'cloudformation:UpdateStack', resource: stack }] },
        {
          steps: [
            { action: 'cloudformation:CreateChangeSet', resource: stack },
            { action: 'cloudformation:ExecuteChangeSet', resource: stack },
          ],
          report: 1,
          note: 'through a change set',
        },
      ]),
  },
];

export const methodById = (id: string) => ESCALATION_METHODS.find((m) => m.id === id);
