import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext } from '../../testing/evidence.js';
import { ADMIN_ARN, editDetails, role, user } from '../../testing/iam-fixtures.js';
import { boundaryCoverage as c } from './boundary-coverage.js';

const ctx = fixtureContext();
const fails = (ev: Parameters<typeof c.evaluate>[0]) => c.evaluate(ev, ctx).filter((r) => r.status === 'fail');

describe('BOUNDARY-COVERAGE', () => {
  it('passes when every partner IAM administrator carries the boundary', () => {
    const [r] = c.evaluate(compliantEvidence(), ctx);
    expect(r?.status).toBe('pass');
    expect(r?.evidence.administrators).toEqual([
      'arn:aws:iam::222222222222:user/partner-admin',
      'arn:aws:iam::222222222222:role/PartnerAdmin',
    ]);
  });

  it('names an administrator without a boundary', () => {
    const ev = editDetails(compliantEvidence(), (d) => {
      delete (d.users[0] as { permissionsBoundaryArn?: string }).permissionsBoundaryArn;
    });
    const f = fails(ev);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      resource: 'arn:aws:iam::222222222222:user/partner-admin',
      evidence: { boundaryArn: null },
    });
    expect(f[0]?.message).toContain('partner-admin');
  });

  it('names an administrator fenced by some other boundary', () => {
    const ev = editDetails(compliantEvidence(), (d, acct) => {
      d.roles.push(
        role(acct, 'ops', {
          attachedPolicies: [{ arn: ADMIN_ARN, name: 'AdministratorAccess' }],
          permissionsBoundaryArn: ADMIN_ARN,
        }),
      );
    });
    const f = fails(ev);
    expect(f.map((r) => r.resource)).toEqual(['arn:aws:iam::222222222222:role/ops']);
    expect(f[0]?.message).toContain(ADMIN_ARN);
  });

  it('sees administrators made so by a group, and by an inline policy', () => {
    const ev = editDetails(compliantEvidence(), (d, acct) => {
      d.groups.push({
        arn: `arn:aws:iam::${acct}:group/Admins`,
        name: 'Admins',
        path: '/',
        inlinePolicies: [],
        attachedPolicies: [{ arn: ADMIN_ARN, name: 'AdministratorAccess' }],
      });
      d.users.push(user(acct, 'grouped', { groups: ['Admins'] }));
      d.users.push(
        user(acct, 'inline-iam', {
          inlinePolicies: [
            {
              name: 'iam',
              document: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 'iam:Attach*', Resource: '*' }],
              },
            },
          ],
        }),
      );
    });
    expect(
      fails(ev)
        .map((r) => r.resource)
        .sort(),
    ).toEqual(['arn:aws:iam::222222222222:user/grouped', 'arn:aws:iam::222222222222:user/inline-iam']);
  });

  it('leaves out distributor principals, non-administrators and service-linked roles', () => {
    const ev = editDetails(compliantEvidence(), (d, acct) => {
      d.users.push(
        user(acct, 'breakglass', {
          path: '/distributor/',
          attachedPolicies: [{ arn: ADMIN_ARN, name: 'AdministratorAccess' }],
        }),
      );
      d.users.push(
        user(acct, 'tagged-ops', {
          attachedPolicies: [{ arn: ADMIN_ARN, name: 'AdministratorAccess' }],
          tags: { 'managed-by': 'distributor' },
        }),
      );
      d.users.push(
        user(acct, 'dev', {
          attachedPolicies: [{ arn: 'arn:aws:iam::aws:policy/IAMUserChangePassword', name: 'IAMUserChangePassword' }],
        }),
      );
      d.roles.push(
        role(acct, 'AWSServiceRoleForSupport', {
          path: '/aws-service-role/support.amazonaws.com/',
          attachedPolicies: [{ arn: ADMIN_ARN, name: 'AdministratorAccess' }],
        }),
      );
    });
    expect(fails(ev)).toEqual([]);
  });

  it('warns about an administrator exempted only by the distributor tag', () => {
    const ev = editDetails(compliantEvidence(), (d, acct) => {
      d.users.push(
        user(acct, 'self-tagged', {
          attachedPolicies: [{ arn: ADMIN_ARN, name: 'AdministratorAccess' }],
          tags: { 'managed-by': 'distributor' },
        }),
      );
    });
    const r = c.evaluate(ev, ctx);
    expect(r.filter((x) => x.status === 'fail')).toEqual([]);
    expect(r.find((x) => x.status === 'warn')).toMatchObject({
      resource: 'arn:aws:iam::222222222222:user/self-tagged',
    });
  });

  it('warns when an unfenced principal holds a policy whose document was not collected', () => {
    const ev = editDetails(compliantEvidence(), (d, acct) => {
      d.users.push(
        user(acct, 'mystery', {
          attachedPolicies: [{ arn: `arn:aws:iam::${acct}:policy/not-collected`, name: 'not-collected' }],
        }),
      );
    });
    const w = c.evaluate(ev, ctx).filter((r) => r.status === 'warn');
    expect(w).toHaveLength(1);
    expect(w[0]?.message).toContain('not-collected');
  });

  it('does not crash on evidence with missing lists', () => {
    const ev = editDetails(compliantEvidence(), (d) => {
      const u = d.users[0] as unknown as Record<string, unknown>;
      delete u.inlinePolicies;
      delete u.groups;
      delete u.tags;
      delete (d as unknown as Record<string, unknown>).groups;
    });
    expect(c.evaluate(ev, ctx)[0]?.status).toBe('pass');
  });

  it('is unknown when GetAccountAuthorizationDetails failed', () => {
    expect(c.evaluate(breaks.deny(compliantEvidence(), 'iam.authorizationDetails'), ctx)).toMatchObject([
      { status: 'unknown', evidence: { api: 'iam:GetAccountAuthorizationDetails' } },
    ]);
  });
});
