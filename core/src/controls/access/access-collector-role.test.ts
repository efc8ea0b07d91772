import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext, withEvidence } from '../../testing/evidence.js';
import { accessCollectorRole as c } from './access-collector-role.js';

describe('ACCESS-COLLECTOR-ROLE', () => {
  it('passes when the role was assumed in the payer', () => {
    expect(c.evaluate(compliantEvidence(), fixtureContext())[0]?.status).toBe('pass');
  });
  it('is a critical lockout failure carrying the AWS error, never unknown', () => {
    const [r] = c.evaluate(breaks.lockout(compliantEvidence()), fixtureContext());
    expect(r?.status).toBe('fail');
    expect(r?.evidence).toMatchObject({ lockout: true, errorCode: 'AccessDenied', api: 'sts:AssumeRole' });
    expect(r?.message).toMatch(/^Lockout/);
    expect(c.severity).toBe('critical');
  });
  it('fails when the session answered from another account', () => {
    const ev = withEvidence(compliantEvidence(), (e) => {
      if (e.access.status === 'ok') e.access.data.accountId = '999999999999';
    });
    expect(c.evaluate(ev, fixtureContext())[0]).toMatchObject({
      status: 'fail',
      evidence: { accountId: '999999999999' },
    });
  });
});
