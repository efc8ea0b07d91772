import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext } from '../../testing/evidence.js';
import { rootHardwareMfa as c } from './root-hardware-mfa.js';

describe('ROOT-HARDWARE-MFA', () => {
  it("passes when root MFA is on and no virtual device belongs to root (a user's virtual MFA does not count)", () => {
    expect(c.evaluate(compliantEvidence(), fixtureContext())[0]?.status).toBe('pass');
  });
  it('fails when a virtual MFA device is assigned to the root ARN, naming it', () => {
    const [r] = c.evaluate(breaks.rootVirtualMfa(compliantEvidence()), fixtureContext());
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('root-account-mfa-device');
  });
  it('fails when root has no MFA at all', () => {
    expect(c.evaluate(breaks.noRootMfa(compliantEvidence()), fixtureContext())[0]?.status).toBe('fail');
  });
  it('is unknown when ListVirtualMFADevices was denied', () => {
    expect(c.evaluate(breaks.deny(compliantEvidence(), 'iam.virtualMfaDevices'), fixtureContext())[0]).toMatchObject({
      status: 'unknown',
      evidence: { api: 'iam:ListVirtualMFADevices' },
    });
  });
});
