import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext } from '../../testing/evidence.js';
import { accessBillingRole as c } from './access-billing-role.js';

describe('ACCESS-BILLING-ROLE', () => {
  it('passes when the role exists and trusts the hub', () => {
    expect(c.evaluate(compliantEvidence(), fixtureContext())[0]?.status).toBe('pass');
  });
  it('fails when the role is missing', () => {
    const [r] = c.evaluate(breaks.billingRole(compliantEvidence(), 'missing'), fixtureContext());
    expect(r).toMatchObject({ status: 'fail', evidence: { exists: false } });
  });
  it('fails when the role does not trust the distributor hub', () => {
    const [r] = c.evaluate(breaks.billingRole(compliantEvidence(), 'untrusted'), fixtureContext());
    expect(r).toMatchObject({
      status: 'fail',
      evidence: { exists: true, trustsDistributor: false, hubAccountId: '111111111111' },
    });
  });
  it('is unknown when GetRole was denied', () => {
    expect(c.evaluate(breaks.deny(compliantEvidence(), 'billingRole'), fixtureContext())[0]).toMatchObject({
      status: 'unknown',
      evidence: { api: 'iam:GetRole' },
    });
  });
});
