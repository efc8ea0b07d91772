import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../evidence/types.js';
import { boundaryArnFor, defaultSettings } from '../settings.js';
import { type BoundaryCheckResult, checkBoundary, PolicyInputError } from './check.js';
import { REFERENCE_SIDS, referenceBoundary } from './reference-boundary.js';

const settings = defaultSettings();
const ACCT = '123456789012';
const ARN = boundaryArnFor(settings, ACCT);
const ref = () => referenceBoundary(settings, ACCT);

type Stmt = Record<string, unknown>;
const stmts = (d: PolicyDocument) => d.Statement as Stmt[];
const without = (...sids: string[]): PolicyDocument => ({
  ...ref(),
  Statement: stmts(ref()).filter((s) => !sids.includes(s.Sid as string)),
});
const replacing = (sid: string, s: Stmt): PolicyDocument => ({
  ...ref(),
  Statement: stmts(ref()).map((x) => (x.Sid === sid ? { Sid: sid, ...s } : x)),
});
const doc = (...statements: Stmt[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const allowAll: Stmt = { Effect: 'Allow', Action: '*', Resource: '*' };

const check = (boundary: unknown, extra: Partial<Parameters<typeof checkBoundary>[0]> = {}) =>
  checkBoundary({ boundary, boundaryArn: ARN, now: new Date('2026-11-15T12:00:00Z'), ...extra });
const failing = (r: BoundaryCheckResult) => r.checks.filter((c) => c.status === 'fail');
const failed = (r: BoundaryCheckResult, id: string) => r.checks.find((c) => c.id === id && c.status === 'fail');

describe('checkBoundary: the reference boundary', () => {
  it('passes every check and still lets a fenced admin work', () => {
    const r = check(ref());
    expect(failing(r)).toEqual([]);
    expect(r.effective).toBe(true);
    expect(r.allowsAdministration).toBe(true);
    expect(r.checks.length).toBeGreaterThanOrEqual(30);
    // Every pass names the statement that does the work.
    expect(r.checks.find((c) => c.id === 'create-role-unbounded')?.detail).toContain('DenyUnboundedPrincipals');
  });
});

describe('checkBoundary: each reference statement removed is caught with the exact action', () => {
  const cases: [string, Record<string, string>][] = [
    [
      'DenyBoundaryTampering',
      {
        'boundary-create-policy-version': 'iam:CreatePolicyVersion',
        'boundary-set-default-policy-version': 'iam:SetDefaultPolicyVersion',
        'boundary-delete-policy': 'iam:DeletePolicy',
        'boundary-remove-user': 'iam:DeleteUserPermissionsBoundary',
        'boundary-remove-role': 'iam:DeleteRolePermissionsBoundary',
      },
    ],
    [
      'DenyUnboundedPrincipals',
      {
        'create-user-unbounded': 'iam:CreateUser',
        'create-role-unbounded': 'iam:CreateRole',
        'boundary-replace-user': 'iam:PutUserPermissionsBoundary',
        'boundary-replace-role': 'iam:PutRolePermissionsBoundary',
      },
    ],
    [
      'DenyPassUnboundedRole',
      { 'passrole-ec2': 'iam:PassRole', 'passrole-lambda': 'iam:PassRole', 'assume-unbounded-role': 'sts:AssumeRole' },
    ],
    ['DenyDistributorData', { 'distributor-data': 's3:GetObject' }],
    ['DenyBillingViews', { 'billing-views': 'ce:GetCostAndUsage' }],
    [
      'DenyGovernanceTampering',
      {
        'governance-roles': 'iam:DeleteRole',
        'governance-monitor-rule': 'events:DisableRule',
        'governance-trail': 'cloudtrail:StopLogging',
        'governance-stack': 'cloudformation:DeleteStack',
        'create-access-key': 'iam:CreateAccessKey',
      },
    ],
  ];
  for (const [sid, expected] of cases) {
    it(`without ${sid}`, () => {
      const r = check(without(sid));
      expect(r.effective).toBe(false);
      for (const [id, action] of Object.entries(expected)) {
        const c = failed(r, id);
        expect(c, id).toBeDefined();
        expect(c?.action).toBe(action);
        expect(c?.detail).toContain(action);
      }
    });
  }
  it('knows every Sid of the contract', () => expect(stmts(ref()).map((s) => s.Sid)).toEqual([...REFERENCE_SIDS]));
  it('without AllowAll the boundary denies everything: effective, but no longer usable', () => {
    const r = check(without('AllowAll'));
    expect(r.effective).toBe(true);
    expect(r.allowsAdministration).toBe(false);
  });
});

describe('checkBoundary: subtle holes', () => {
  it('a boundary that forgets policy versions (protects only DeletePolicy)', () => {
    const r = check(
      replacing('DenyBoundaryTampering', {
        Effect: 'Deny',
        Action: ['iam:DeletePolicy', 'iam:Delete*PermissionsBoundary'],
        Resource: '*',
      }),
    );
    expect(failed(r, 'boundary-create-policy-version')?.action).toBe('iam:CreatePolicyVersion');
    expect(failed(r, 'boundary-set-default-policy-version')?.action).toBe('iam:SetDefaultPolicyVersion');
    expect(failed(r, 'boundary-delete-policy')).toBeUndefined();
    expect(failed(r, 'boundary-remove-user')).toBeUndefined();
  });

  it('protects the boundary by name under a different path', () => {
    const r = check(
      replacing('DenyBoundaryTampering', {
        Effect: 'Deny',
        Action: [
          'iam:CreatePolicyVersion',
          'iam:DeletePolicy',
          'iam:DeletePolicyVersion',
          'iam:SetDefaultPolicyVersion',
          'iam:Delete*PermissionsBoundary',
        ],
        Resource: [
          `arn:aws:iam::${ACCT}:policy/${settings.boundary.policyName}`,
          `arn:aws:iam::${ACCT}:user/*`,
          `arn:aws:iam::${ACCT}:role/*`,
        ],
      }),
    );
    const c = failed(r, 'boundary-create-policy-version');
    expect(c?.action).toBe('iam:CreatePolicyVersion');
    expect(c?.resource).toBe(ARN);
  });

  it('Null on iam:PermissionsBoundary stops only a missing boundary, not another one', () => {
    const r = check(
      replacing('DenyUnboundedPrincipals', {
        Effect: 'Deny',
        Action: ['iam:CreateRole', 'iam:CreateUser'],
        Resource: '*',
        Condition: { Null: { 'iam:PermissionsBoundary': 'true' } },
      }),
    );
    const c = failed(r, 'create-role-unbounded');
    expect(c?.action).toBe('iam:CreateRole');
    expect(c?.detail).toMatch(/iam:PermissionsBoundary=arn:aws:iam::/);
  });

  it('a wildcard path condition is beaten by a look-alike policy created next to the boundary', () => {
    const loose = replacing('DenyUnboundedPrincipals', {
      Effect: 'Deny',
      Action: ['iam:CreateUser', 'iam:CreateRole', 'iam:Put*PermissionsBoundary'],
      Resource: '*',
      Condition: {
        StringNotLike: { 'iam:PermissionsBoundary': `arn:aws:iam::*:policy${settings.boundary.policyPath}*` },
      },
    });
    const r = check(loose);
    const c = failed(r, 'create-role-unbounded');
    expect(c?.action).toBe('iam:CreateRole');
    expect(c?.detail).toContain('iam:CreatePolicy then iam:CreateRole');
    // ...unless the partner cannot create policies at that path.
    const fenced = {
      ...loose,
      Statement: [
        ...stmts(loose),
        {
          Sid: 'DenyPolicyPath',
          Effect: 'Deny',
          Action: 'iam:CreatePolicy',
          Resource: `arn:aws:iam::${ACCT}:policy${settings.boundary.policyPath}*`,
        },
      ],
    };
    expect(failed(check(fenced), 'create-role-unbounded')).toBeUndefined();
  });

  it('ArnNotLike / StringNotEquals spellings of the same condition both hold', () => {
    for (const op of ['ArnNotLike', 'ArnNotEquals', 'StringNotEqualsIgnoreCase']) {
      const r = check(
        replacing('DenyUnboundedPrincipals', {
          Effect: 'Deny',
          Action: [
            'iam:CreateUser',
            'iam:CreateRole',
            'iam:PutUserPermissionsBoundary',
            'iam:PutRolePermissionsBoundary',
          ],
          Resource: '*',
          Condition: { [op]: { 'iam:PermissionsBoundary': ARN } },
        }),
      );
      expect(
        failing(r).map((c) => c.id),
        op,
      ).toEqual([]);
    }
  });

  it('a Deny written with NotAction (deny all but a list) and an allow-list of services', () => {
    const r = check(doc({ Effect: 'Allow', Action: ['ec2:*', 's3:*', 'lambda:*', 'iam:PassRole'], Resource: '*' }));
    expect(failed(r, 'passrole-lambda')?.action).toBe('iam:PassRole');
    expect(failed(r, 'distributor-data')?.action).toBe('s3:GetObject');
    expect(failed(r, 'create-role-unbounded')).toBeUndefined(); // iam:CreateRole is not in the allow-list
    const notAction = doc(allowAll, { Effect: 'Deny', NotAction: ['ec2:*', 'lambda:*', 'logs:*'], Resource: '*' });
    const r2 = check(notAction);
    expect(r2.effective).toBe(true);
    expect(r2.allowsAdministration).toBe(false);
  });

  it('wildcards in actions count: iam:Put* and iam:*PermissionsBoundary', () => {
    const r = check(
      replacing('DenyUnboundedPrincipals', {
        Effect: 'Deny',
        Action: [
          'iam:Create*',
          'iam:Put*PermissionsBoundary',
          'iam:Attach*',
          'iam:Put*Policy',
          'iam:UpdateAssumeRolePolicy',
        ],
        Resource: '*',
        Condition: { StringNotEquals: { 'iam:PermissionsBoundary': ARN } },
      }),
    );
    expect(failing(r)).toEqual([]);
  });

  it('a deny that applies only without MFA is no fence for an admin who has MFA', () => {
    const r = check(
      replacing('DenyDistributorData', {
        Effect: 'Deny',
        Action: 's3:*',
        Resource: ['arn:aws:s3:::distributor-billing-files', 'arn:aws:s3:::distributor-billing-files/*'],
        Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
      }),
    );
    expect(failed(r, 'distributor-data')?.action).toBe('s3:GetObject');
  });

  it('a deny that spares one principal by ARN leaves that principal open', () => {
    const r = check(
      replacing('DenyBillingViews', {
        Effect: 'Deny',
        Action: ['ce:*', 'aws-portal:*', 'billing:*'],
        Resource: '*',
        Condition: { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:role/PartnerAdmin` } },
      }),
    );
    const c = failed(r, 'billing-views');
    expect(c?.action).toBe('ce:GetCostAndUsage');
    expect(c?.detail).toContain('role PartnerAdmin');
  });

  it('denying only GetObject on the bucket leaves the bucket policy open', () => {
    const r = check(
      replacing('DenyDistributorData', {
        Effect: 'Deny',
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: 'arn:aws:s3:::distributor-billing-files*',
      }),
    );
    expect(failed(r, 'distributor-data')?.action).toBe('s3:GetObjectVersion');
  });

  it('PassRole fenced by a tag the partner can set is open through iam:TagRole; protecting the tag closes it', () => {
    const tagged = replacing('DenyPassUnboundedRole', {
      Effect: 'Deny',
      Action: ['iam:PassRole', 'sts:AssumeRole'],
      Resource: `arn:aws:iam::${ACCT}:role/*`,
      Condition: { StringNotEquals: { 'aws:ResourceTag/boundary': 'distributor' } },
    });
    const r = check(tagged);
    const c = failed(r, 'passrole-ec2');
    expect(c?.action).toBe('iam:TagRole');
    expect(c?.detail).toContain('boundary=distributor');
    const protectedTag = {
      ...tagged,
      Statement: [
        ...stmts(tagged),
        {
          Sid: 'DenyTag',
          Effect: 'Deny',
          Action: ['iam:TagRole', 'iam:UntagRole'],
          Resource: '*',
          Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['boundary'] } },
        },
      ],
    };
    expect(failing(check(protectedTag)).map((x) => x.id)).toEqual([]);
  });

  it('governance by name covers the stack only if change sets are covered too', () => {
    const governance = stmts(ref()).find((s) => s.Sid === 'DenyGovernanceTampering') as Stmt;
    const r = check(
      replacing('DenyGovernanceTampering', {
        ...governance,
        Action: (governance.Action as string[]).filter((a) => !a.endsWith('ChangeSet')),
      }),
    );
    expect(failed(r, 'governance-stack')?.action).toBe('cloudformation:ExecuteChangeSet');
  });

  it('governance by the distributor tag holds only if the tag cannot be removed', () => {
    const byTag = (extraActions: string[]) =>
      replacing('DenyGovernanceTampering', {
        ...(stmts(ref()).find((s) => s.Sid === 'DenyGovernanceTampering') as Stmt),
        Action: [
          'iam:Delete*',
          'iam:Update*',
          'iam:Detach*',
          'iam:Put*',
          'iam:Attach*',
          'iam:Create*',
          ...extraActions,
        ],
        Resource: [`arn:aws:iam::${ACCT}:role/*`, `arn:aws:iam::${ACCT}:user/*`],
        Condition: { StringEquals: { 'aws:ResourceTag/managed-by': 'distributor' } },
      });
    const [events, trail, stack] = ['governance-monitor-rule', 'governance-trail', 'governance-stack'];
    const open = check(byTag([]));
    const c = failed(open, 'governance-roles');
    expect(c?.action).toBe('iam:UntagRole');
    expect(c?.detail).toContain('after removing its tags');
    // Monitor, trail and stack are no longer covered by this statement at all.
    expect([events, trail, stack].every((id) => failed(open, id as string))).toBe(true);
    const closed = check(byTag(['iam:Untag*']));
    expect(failed(closed, 'governance-roles')).toBeUndefined();
    expect(failed(closed, 'governance-users')).toBeUndefined();
  });

  it('upper-case action names in the boundary still match', () => {
    const r = check(
      replacing('DenyBillingViews', {
        Effect: 'Deny',
        Action: ['CE:GET*', 'AWS-PORTAL:VIEW*', 'BILLING:GET*', 'BILLING:LIST*'],
        Resource: '*',
      }),
    );
    expect(failed(r, 'billing-views')).toBeUndefined();
  });

  it('a limited identity policy limits what is open even under a weak boundary', () => {
    const weak = doc(allowAll);
    expect(check(weak).effective).toBe(false);
    const r = check(weak, {
      identityPolicies: [doc({ Effect: 'Allow', Action: ['ec2:Describe*', 'cloudwatch:*'], Resource: '*' })],
    });
    expect(r.effective).toBe(true);
  });

  it('uses the settings: another bucket is protected only when listed', () => {
    const other = {
      ...settings,
      protectedResources: { ...settings.protectedResources, s3Buckets: ['cur-exports-private'] },
    };
    const r = check(ref(), { settings: other });
    expect(failed(r, 'distributor-data')?.resource).toContain('cur-exports-private');
    expect(check(referenceBoundary(other, ACCT), { settings: other }).effective).toBe(true);
  });
});

describe('checkBoundary: conditions the caller controls', () => {
  it('a deny that holds only from outside a network is open from inside it', () => {
    const r = check(
      replacing('DenyBoundaryTampering', {
        ...(stmts(ref()).find((s) => s.Sid === 'DenyBoundaryTampering') as Stmt),
        Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      }),
    );
    const c = failed(r, 'boundary-create-policy-version');
    expect(c?.action).toBe('iam:CreatePolicyVersion');
    expect(c?.detail).toContain('private network address');
  });

  it('a deny that spares calls made through AWS services is open through CloudFormation', () => {
    const r = check(
      replacing('DenyUnboundedPrincipals', {
        ...(stmts(ref()).find((s) => s.Sid === 'DenyUnboundedPrincipals') as Stmt),
        Condition: { StringNotEquals: { 'iam:PermissionsBoundary': ARN }, Bool: { 'aws:ViaAWSService': 'false' } },
      }),
    );
    expect(failed(r, 'create-role-unbounded')?.detail).toContain('through CloudFormation');
  });

  it('a deny that lapses at a date is open after it', () => {
    const r = check(
      replacing('DenyDistributorData', {
        Effect: 'Deny',
        Action: 's3:*',
        Resource: 'arn:aws:s3:::distributor-billing-files*',
        Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
      }),
    );
    expect(failed(r, 'distributor-data')?.detail).toContain('later');
  });

  it('an exception by path (NotResource) is probed: creating a role there without the boundary is caught', () => {
    const r = check(
      replacing('DenyUnboundedPrincipals', {
        Effect: 'Deny',
        Action: ['iam:CreateRole', 'iam:CreateUser', 'iam:Put*PermissionsBoundary'],
        NotResource: [`arn:aws:iam::${ACCT}:role/sandbox/*`],
      }),
    );
    const c = failed(r, 'create-role-unbounded');
    expect(c).toMatchObject({ action: 'iam:CreateRole', resource: `arn:aws:iam::${ACCT}:role/sandbox/escalated` });
    expect(failed(r, 'create-user-unbounded')).toBeUndefined();
  });

  it('an exemption for principals named ci-* is open: the admin creates a fenced ci- role and acts as it', () => {
    const exemptCi = replacing('DenyUnboundedPrincipals', {
      Effect: 'Deny',
      Action: ['iam:CreateRole', 'iam:CreateUser', 'iam:Put*PermissionsBoundary'],
      Resource: '*',
      Condition: {
        StringNotEquals: { 'iam:PermissionsBoundary': ARN },
        ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/ci-*' },
      },
    });
    const exempting = (extra: Stmt[] = []) => check({ ...exemptCi, Statement: [...stmts(exemptCi), ...extra] });
    const c = failed(exempting(), 'create-role-unbounded');
    expect(c?.action).toBe('iam:CreateRole');
    expect(c?.detail).toContain('role ci-escalated');
    // If only the distributor can create ci- roles, the exemption holds.
    const closed = exempting([
      { Sid: 'NoCiRoles', Effect: 'Deny', Action: 'iam:CreateRole', Resource: `arn:aws:iam::${ACCT}:role/ci-*` },
    ]);
    expect(failed(closed, 'create-role-unbounded')).toBeUndefined();
  });

  it('an exemption by principal tag is open when the admin can create a fenced role with that tag', () => {
    const r = check(
      replacing('DenyDistributorData', {
        Effect: 'Deny',
        Action: 's3:*',
        Resource: 'arn:aws:s3:::distributor-billing-files*',
        Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'distributor-ops' } },
      }),
    );
    expect(failed(r, 'distributor-data')?.detail).toContain('team=distributor-ops');
  });
});

describe('checkBoundary: bad input', () => {
  it('refuses documents that are not IAM policies and ARNs that are not policy ARNs', () => {
    expect(() => check({ Statement: [{ Effect: 'Allow', Action: '*' }] })).toThrow(PolicyInputError);
    expect(() => check([1, 2])).toThrow(/must be a JSON object/);
    expect(() =>
      check({ Version: '2012-10-17', Statement: [{ ...allowAll, Condition: { StringEqualz: { 'a:b': 'c' } } }] }),
    ).toThrow(/StringEqualz/);
    expect(() => checkBoundary({ boundary: ref(), boundaryArn: 'arn:aws:iam::12:role/x' })).toThrow(
      /not a customer-managed policy ARN/,
    );
    expect(() => check(ref(), { identityPolicies: [{ Statement: 'nope' } as unknown as PolicyDocument] })).toThrow(
      /identity policy 1/,
    );
  });
});
