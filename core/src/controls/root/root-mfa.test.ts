import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext } from '../../testing/evidence.js';
import { rootMfa as c } from './root-mfa.js';

describe('ROOT-MFA', () => {
  it('passes with root MFA', () => expect(c.evaluate(compliantEvidence(), fixtureContext())[0]?.status).toBe('pass'));
  it('fails without root MFA (critical)', () => {
    expect(c.evaluate(breaks.noRootMfa(compliantEvidence()), fixtureContext())[0]).toMatchObject({
      status: 'fail',
      evidence: { AccountMFAEnabled: 0 },
    });
    expect(c.severity).toBe('critical');
  });
  it('is unknown when GetAccountSummary was denied', () => {
    expect(c.evaluate(breaks.deny(compliantEvidence(), 'iam.accountSummary'), fixtureContext())[0]).toMatchObject({
      status: 'unknown',
      evidence: { api: 'iam:GetAccountSummary', errorCode: 'AccessDenied' },
    });
  });
});
