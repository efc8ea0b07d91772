import { describe, expect, it } from 'vitest';
import { referenceBoundary } from '../../policy/reference-boundary.js';
import { boundaryArnFor, defaultSettings } from '../../settings.js';
import { breaks, compliantEvidence, FIXTURE_PAYER, fixtureContext } from '../../testing/evidence.js';
import { ADMIN_ARN, deployBoundary, editDetails, role, user, withoutSids } from '../../testing/iam-fixtures.js';
import { boundaryEffectiveness as c } from './boundary-effectiveness.js';

const ctx = fixtureContext();
const settings = defaultSettings();
const ARN = boundaryArnFor(settings, FIXTURE_PAYER);
const reference = referenceBoundary(settings, FIXTURE_PAYER);
type Path = { methodId: string; action: string; resource: string };
const paths = (r: { evidence: Record<string, unknown> } | undefined) => (r?.evidence.openPaths ?? []) as Path[];

describe('BOUNDARY-EFFECTIVENESS', () => {
  it('passes for the reference boundary on a compliant payer', () => {
    const r = c.evaluate(compliantEvidence(), ctx);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({
      status: 'pass',
      evidence: {
        fencedPrincipals: [
          `arn:aws:iam::${FIXTURE_PAYER}:user/partner-admin`,
          `arn:aws:iam::${FIXTURE_PAYER}:role/PartnerAdmin`,
        ],
      },
    });
  });

  it('names each fenced principal, the method and the exact action when creation is not fenced', () => {
    const r = c.evaluate(deployBoundary(compliantEvidence(), withoutSids(reference, 'DenyUnboundedPrincipals')), ctx);
    expect(r.map((x) => [x.status, x.resource])).toEqual([
      ['fail', `arn:aws:iam::${FIXTURE_PAYER}:user/partner-admin`],
      ['fail', `arn:aws:iam::${FIXTURE_PAYER}:role/PartnerAdmin`],
    ]);
    const create = paths(r[0]).find((p) => p.methodId === 'create-role-unbounded');
    expect(create).toMatchObject({
      action: 'iam:CreateRole',
      resource: `arn:aws:iam::${FIXTURE_PAYER}:role/escalated-role`,
    });
    expect(r[0]?.message).toMatch(
      /partner-admin .*iam:(CreateUser|CreateRole|Put(User|Role)PermissionsBoundary) on arn:aws:iam::/,
    );
  });

  it('finds a takeover the boundary cannot stop: an unfenced partner admin user', () => {
    const ev = editDetails(compliantEvidence(), (d, acct) => {
      d.users.push(user(acct, 'legacy-admin', { attachedPolicies: [{ arn: ADMIN_ARN, name: 'AdministratorAccess' }] }));
    });
    const f = c.evaluate(ev, ctx).filter((x) => x.status === 'fail');
    expect(f.length).toBe(2);
    const key = paths(f[0]).find((p) => p.methodId === 'create-access-key');
    expect(key).toMatchObject({
      action: 'iam:CreateAccessKey',
      resource: `arn:aws:iam::${FIXTURE_PAYER}:user/legacy-admin`,
    });
    // Granting it more, re-trusting or passing it are fenced by the reference boundary.
    expect(paths(f[0]).map((p) => p.methodId)).not.toContain('attach-user-policy');
  });

  it('an unfenced legacy role is out of reach: not passable, not assumable, not re-trustable', () => {
    const ev = editDetails(compliantEvidence(), (d, acct) => {
      d.roles.push(role(acct, 'legacy-ops', { attachedPolicies: [{ arn: ADMIN_ARN, name: 'AdministratorAccess' }] }));
    });
    expect(c.evaluate(ev, ctx)[0]?.status).toBe('pass');
    const holed = deployBoundary(ev, withoutSids(reference, 'DenyPassUnboundedRole'));
    const f = c.evaluate(holed, ctx).find((x) => x.status === 'fail');
    expect(
      paths(f).find((p) => p.methodId === 'assume-unbounded-role' && p.resource.endsWith('/legacy-ops')),
    ).toMatchObject({
      action: 'sts:AssumeRole',
      resource: `arn:aws:iam::${FIXTURE_PAYER}:role/legacy-ops`,
    });
  });

  it('uses the real trail and rule ARNs of the payer', () => {
    const ev = editDetails(
      deployBoundary(compliantEvidence(), withoutSids(reference, 'DenyGovernanceTampering')),
      () => {},
    );
    const f = c.evaluate(ev, ctx).find((x) => x.status === 'fail');
    expect(paths(f).find((p) => p.methodId === 'governance-trail')?.resource).toBe(
      `arn:aws:cloudtrail:us-east-1:${FIXTURE_PAYER}:trail/distributor-org-trail`,
    );
  });

  it('judges the deployed boundary on its own when nobody carries it yet', () => {
    const ev = editDetails(deployBoundary(compliantEvidence(), withoutSids(reference, 'DenyDistributorData')), (d) => {
      for (const p of [...d.users, ...d.roles])
        delete (p as { permissionsBoundaryArn?: string }).permissionsBoundaryArn;
    });
    const r = c.evaluate(ev, ctx);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ status: 'fail', resource: ARN });
    expect(paths(r[0]).find((p) => p.methodId === 'distributor-data')).toMatchObject({ action: 's3:GetObject' });
    // The admins who lost their boundary are now takeover targets for whoever gets it next.
    expect(paths(r[0]).find((p) => p.methodId === 'create-access-key')?.resource).toBe(
      `arn:aws:iam::${FIXTURE_PAYER}:user/partner-admin`,
    );
  });

  it('assumes the worst of a policy it could not read', () => {
    const ev = editDetails(
      deployBoundary(compliantEvidence(), withoutSids(reference, 'DenyBillingViews')),
      (d, acct) => {
        d.users.push(
          user(acct, 'reader', {
            permissionsBoundaryArn: ARN,
            attachedPolicies: [{ arn: `arn:aws:iam::${acct}:policy/unread`, name: 'unread' }],
          }),
        );
      },
    );
    const f = c.evaluate(ev, ctx).find((x) => x.resource === `arn:aws:iam::${FIXTURE_PAYER}:user/reader`);
    expect(f?.status).toBe('fail');
    expect(f?.message).toContain('unreadable');
  });

  it('is unknown, never pass, when the boundary document in force was not collected', () => {
    const ev = editDetails(compliantEvidence(), (d) => {
      const p = d.policies[0];
      if (p) p.versions = [];
    });
    const r = c.evaluate(ev, ctx);
    expect(r.map((x) => x.status)).toEqual(['unknown']);
    expect(r[0]?.evidence.principals).toHaveLength(2);
  });

  it('fails when the boundary is not deployed, unknown when evidence is missing', () => {
    const gone = editDetails(compliantEvidence(), (d) => {
      d.policies = [];
      for (const p of [...d.users, ...d.roles])
        delete (p as { permissionsBoundaryArn?: string }).permissionsBoundaryArn;
    });
    expect(c.evaluate(gone, ctx)[0]).toMatchObject({ status: 'fail' });
    expect(c.evaluate(breaks.deny(compliantEvidence(), 'iam.authorizationDetails'), ctx)[0]?.status).toBe('unknown');
  });
});
