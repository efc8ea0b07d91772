import { describe, expect, it } from 'vitest';
import { referenceBoundary } from '../../policy/reference-boundary.js';
import { defaultSettings } from '../../settings.js';
import { breaks, compliantEvidence, FIXTURE_PAYER, fixtureContext } from '../../testing/evidence.js';
import { deployBoundary, editDetails, withoutSids } from '../../testing/iam-fixtures.js';
import { boundaryDrift as c } from './boundary-drift.js';

const ctx = fixtureContext();
const reference = referenceBoundary(defaultSettings(), FIXTURE_PAYER);
type Stmt = Record<string, unknown>;

describe('BOUNDARY-DRIFT', () => {
  it('passes when the default version is the reference boundary', () => {
    expect(c.evaluate(compliantEvidence(), ctx)[0]).toMatchObject({
      status: 'pass',
      evidence: { approvedSource: 'reference boundary' },
    });
  });

  it('shows a removed statement', () => {
    const [r] = c.evaluate(deployBoundary(compliantEvidence(), withoutSids(reference, 'DenyBillingViews')), ctx);
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('removed DenyBillingViews');
    expect(r?.evidence.diff).toContain('- DenyBillingViews (removed)');
    expect(r?.evidence.defaultVersionId).toBe('v2');
  });

  it('shows an added statement and a changed one, field by field', () => {
    const statements = (reference.Statement as Stmt[]).map((s) =>
      s.Sid === 'DenyBillingViews' ? { ...s, Action: (s.Action as string[]).filter((a) => a !== 'ce:Get*') } : s,
    );
    statements.push({ Sid: 'PartnerAddedReadAccess', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
    const [r] = c.evaluate(deployBoundary(compliantEvidence(), { ...reference, Statement: statements }), ctx);
    const diff = String(r?.evidence.diff);
    expect(diff).toContain('~ DenyBillingViews (changed)');
    expect(diff).toContain('Action: - ce:get*');
    expect(diff).toContain('+ PartnerAddedReadAccess (added)');
    expect(diff).toContain('+ Allow s3:getobject on *');
  });

  it('ignores what IAM ignores: statement order, list order, one value written as a list', () => {
    const shuffled = {
      ...reference,
      Statement: [...(reference.Statement as Stmt[])]
        .reverse()
        .map((s) => (s.Sid === 'AllowAll' ? { ...s, Action: ['*'], Resource: ['*'] } : s)),
    };
    expect(c.evaluate(deployBoundary(compliantEvidence(), shuffled), ctx)[0]?.status).toBe('pass');
  });

  it('compares with settings.boundary.approvedDocument when one is set', () => {
    const approved = withoutSids(reference, 'DenyBillingViews');
    const settings = { ...defaultSettings(), boundary: { ...defaultSettings().boundary, approvedDocument: approved } };
    const ev = deployBoundary(compliantEvidence(), approved);
    expect(c.evaluate(ev, fixtureContext({ settings }))[0]).toMatchObject({
      status: 'pass',
      evidence: { approvedSource: 'settings.boundary.approvedDocument' },
    });
    expect(c.evaluate(compliantEvidence(), fixtureContext({ settings }))[0]?.evidence.diff).toContain(
      '+ DenyBillingViews (added)',
    );
  });

  it('fails when the boundary policy is missing, unknown without evidence', () => {
    const gone = editDetails(compliantEvidence(), (d) => {
      d.policies = [];
    });
    expect(c.evaluate(gone, ctx)[0]).toMatchObject({
      status: 'fail',
      resource: `arn:aws:iam::${FIXTURE_PAYER}:policy/distributor/DistributorPartnerBoundary`,
    });
    expect(c.evaluate(breaks.deny(compliantEvidence(), 'iam.authorizationDetails'), ctx)[0]?.status).toBe('unknown');
  });
});
