import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext } from '../../testing/evidence.js';
import { ownPayerIsManagement as c } from './own-payer-is-management.js';

describe('OWN-PAYER-IS-MANAGEMENT', () => {
  it('passes when the payer manages the organization', () => {
    expect(c.evaluate(compliantEvidence(), fixtureContext())[0]?.status).toBe('pass');
  });
  it('fails naming the real management account', () => {
    const [r] = c.evaluate(breaks.notManagement(compliantEvidence(), '999999999999'), fixtureContext());
    expect(r).toMatchObject({
      status: 'fail',
      evidence: { managementAccountId: '999999999999', payerAccountId: '222222222222' },
    });
  });
  it('is unknown when the organization could not be read', () => {
    const [r] = c.evaluate(
      breaks.deny(compliantEvidence(), 'organizations.organization', 'throttled'),
      fixtureContext(),
    );
    expect(r).toMatchObject({ status: 'unknown', evidence: { errorCode: 'ThrottlingException' } });
  });
  it('fails (an answer, not unknown) when the payer is in no organization', () => {
    const [r] = c.evaluate(breaks.standalone(compliantEvidence()), fixtureContext());
    expect(r).toMatchObject({ status: 'fail', evidence: { errorCode: 'AWSOrganizationsNotInUseException' } });
    expect(r?.message).toMatch(/not in any organization/);
  });
  it("fails when the payer is a member of someone else's organization", () => {
    expect(c.evaluate(breaks.memberPayer(compliantEvidence()), fixtureContext())[0]).toMatchObject({
      status: 'fail',
      evidence: { managementAccountId: '444444444444' },
    });
  });
});
