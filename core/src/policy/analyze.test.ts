import { describe, expect, it } from 'vitest';
import { boundaryArnFor, defaultSettings } from '../settings.js';
import { compliantEvidence, FIXTURE_PAYER } from '../testing/evidence.js';
import { ADMIN_ARN, details, editDetails, role, user } from '../testing/iam-fixtures.js';
import { analyzePayer, analyzePayerCached } from './analyze.js';
import { effectivePolicies, PolicyIndex } from './effective.js';

const settings = defaultSettings();
const B = boundaryArnFor(settings, FIXTURE_PAYER);
const arn = (kind: string, name: string) => `arn:aws:iam::${FIXTURE_PAYER}:${kind}/${name}`;

describe('analyzePayer on fixture evidence', () => {
  it('classifies every principal of a compliant payer', () => {
    const a = analyzePayer(compliantEvidence(), settings);
    const by = Object.fromEntries(a.principals.map((p) => [p.name, p]));
    expect(by['partner-admin']).toMatchObject({
      kind: 'user',
      isDistributorOwned: false,
      canAdministerIam: true,
      hasDistributorBoundary: true,
      boundaryArn: B,
      openPaths: [],
      analyzed: true,
    });
    expect(by.PartnerAdmin).toMatchObject({
      kind: 'role',
      canAdministerIam: true,
      hasDistributorBoundary: true,
      openPaths: [],
    });
    expect(by.PayerGuardCollector).toMatchObject({
      isDistributorOwned: true,
      analyzed: false,
      hasDistributorBoundary: false,
    });
    // The fixture names AWS managed policies it does not include; they are reported, not guessed.
    expect(by.PayerGuardCollector?.unresolvedPolicies).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
    expect(a.boundaryPresent).toBe(true);
    expect(a.adminOpenPaths).toEqual([]);
  });

  it('analyses 250 identical administrators once', () => {
    const ev = editDetails(compliantEvidence(), (d, acct) => {
      for (let i = 0; i < 250; i++)
        d.users.push(
          user(acct, `admin-${i}`, {
            attachedPolicies: [{ arn: ADMIN_ARN, name: 'AdministratorAccess' }],
            permissionsBoundaryArn: B,
          }),
        );
      for (let i = 0; i < 40; i++)
        d.roles.push(
          role(acct, `work-${i}`, {
            path: '/bounded/',
            attachedPolicies: [{ arn: 'arn:aws:iam::aws:policy/PowerUserAccess', name: 'PowerUserAccess' }],
            permissionsBoundaryArn: B,
          }),
        );
    });
    const a = analyzePayer(ev, settings);
    expect(a.stats.principals).toBe(294);
    expect(a.stats.distinctPolicySets).toBeLessThanOrEqual(4);
    expect(a.stats.simulations).toBeLessThan(2000);
    expect(
      a.principals.filter((p) => p.name.startsWith('admin-') && p.canAdministerIam && p.openPaths.length === 0),
    ).toHaveLength(250);
    expect(a.principals.filter((p) => p.name.startsWith('work-') && !p.canAdministerIam)).toHaveLength(40);
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
  it('resolves policy variables per principal: ${aws:username} lets a user manage only its own keys', () => {
    const own = {
      Version: '2012-10-17',
      Statement: [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
        { Effect: 'Allow', Action: ['iam:CreateAccessKey'], Resource: 'arn:aws:iam::*:user/${aws:username}' },
      ],
    };
    const ev = editDetails(compliantEvidence(), (d, acct) => {
      for (const n of ['ana', 'bo'])
        d.users.push(
          user(acct, n, { inlinePolicies: [{ name: 'own-keys', document: own }], permissionsBoundaryArn: B }),
        );
      d.users.push(user(acct, 'payerguard-probe-target', { inlinePolicies: [{ name: 'own-keys', document: own }] }));
    });
    const a = analyzePayer(ev, settings);
    const p = (n: string) => a.principals.find((x) => x.name === n);
    expect(p('ana')?.canAdministerIam).toBe(false);
    expect(p('bo')?.canAdministerIam).toBe(false);
    // Named like the probe's target, this user's own-key permission is the permission probed.
    expect(p('payerguard-probe-target')?.canAdministerIam).toBe(true);
  });

  it('principals whose policies use variables still share one analysis per shape', () => {
    const own = {
      Version: '2012-10-17',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
      Statement: [{ Effect: 'Allow', Action: ['iam:*AccessKey*'], Resource: 'arn:aws:iam::*:user/${aws:username}' }],
    };
    const build = (n: number) =>
      editDetails(compliantEvidence(), (d, acct) => {
        for (let i = 0; i < n; i++)
          d.users.push(
            user(acct, `dev-${i}`, {
              inlinePolicies: [{ name: 'own-keys', document: own }],
              permissionsBoundaryArn: B,
            }),
          );
      });
    const few = analyzePayer(build(3), settings).stats;
    const many = analyzePayer(build(120), settings).stats;
    // At most one more shape: devs beyond the sampled fenced targets are not themselves a target.
    expect(many.distinctPolicySets).toBeLessThanOrEqual(few.distinctPolicySets + 1);
    expect(many.simulations).toBeLessThan(few.simulations * 2);
  });

  it('a role is an assume or pass target only if its trust policy lets the payer or the service in', () => {
    const ev = editDetails(compliantEvidence(), (d, acct) => {
      const base = { Version: '2012-10-17' };
      d.roles.push(
        role(acct, 'hub-only', {
          attachedPolicies: [{ arn: ADMIN_ARN, name: 'AdministratorAccess' }],
          assumeRolePolicy: {
            ...base,
            Statement: [
              { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'sts:AssumeRole' },
            ],
          },
        }),
      );
      d.roles.push(
        role(acct, 'lambda-exec', {
          attachedPolicies: [{ arn: ADMIN_ARN, name: 'AdministratorAccess' }],
          assumeRolePolicy: {
            ...base,
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
        }),
      );
    });
    const holed = editDetails(ev, (d) => {
      const p = d.policies[0]!;
      const doc = p.versions[0]!.document;
      p.versions[0]!.document = {
        ...doc,
        Statement: (doc.Statement as { Sid: string }[]).filter((s) => s.Sid !== 'DenyPassUnboundedRole'),
      };
    });
    const admin = analyzePayer(holed, settings).principals.find((x) => x.name === 'partner-admin')!;
    const open = admin.openPaths.map((o) => `${o.methodId} ${o.resource.split('/').pop()}`);
    expect(open).toContain('passrole-lambda lambda-exec');
    expect(open).not.toContain('passrole-ec2 lambda-exec');
    expect(open.filter((x) => x.endsWith('hub-only'))).toEqual([]);
  });

  it('counts group policies, by group name', () => {
    const ev = editDetails(compliantEvidence(), (d, acct) => {
      d.groups.push({
        arn: arn('group', 'Admins'),
        name: 'Admins',
        path: '/',
        inlinePolicies: [
          {
            name: 'all',
            document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] },
          },
        ],
        attachedPolicies: [],
      });
      d.users.push(user(acct, 'grouped', { groups: ['Admins'] }));
    });
    const a = analyzePayer(ev, settings);
    expect(a.principals.find((x) => x.name === 'grouped')).toMatchObject({
      canAdministerIam: true,
      hasDistributorBoundary: false,
    });
    const eff = effectivePolicies(
      details(ev).users.find((u) => u.name === 'grouped')!,
      details(ev),
      new PolicyIndex(details(ev)),
    );
    expect(eff.identity.map((p) => p.name)).toEqual(['group Admins inline:all']);
  });

  it('an explicit deny in an identity policy wins over the boundary allowing', () => {
    const ev = editDetails(compliantEvidence(), (d, acct) => {
      d.users.push(
        user(acct, 'denied-admin', {
          permissionsBoundaryArn: B,
          attachedPolicies: [{ arn: ADMIN_ARN, name: 'AdministratorAccess' }],
          inlinePolicies: [
            {
              name: 'no-iam',
              document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }] },
            },
          ],
        }),
      );
    });
    expect(analyzePayer(ev, settings).principals.find((x) => x.name === 'denied-admin')?.canAdministerIam).toBe(false);
  });

  it('memoises per evidence object', () => {
    const ev = compliantEvidence();
    expect(analyzePayerCached(ev, settings)).toBe(analyzePayerCached(ev, settings));
  });
});
