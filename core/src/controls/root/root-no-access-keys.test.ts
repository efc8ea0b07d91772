import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext } from '../../testing/evidence.js';
import { rootNoAccessKeys as c } from './root-no-access-keys.js';

describe('ROOT-NO-ACCESS-KEYS', () => {
  it('passes when both sources show no root keys', () =>
    expect(c.evaluate(compliantEvidence(), fixtureContext())[0]?.status).toBe('pass'));
  it('fails when GetAccountSummary and the credential report show a key', () => {
    const [r] = c.evaluate(breaks.rootAccessKey(compliantEvidence()), fixtureContext());
    expect(r).toMatchObject({
      status: 'fail',
      evidence: { AccountAccessKeysPresent: 1, activeInReport: ['access_key_1_active'] },
    });
  });
  it('fails on the credential report alone even when the summary is unreadable', () => {
    const ev = breaks.deny(breaks.rootAccessKey(compliantEvidence()), 'iam.accountSummary');
    expect(c.evaluate(ev, fixtureContext())[0]?.status).toBe('fail');
  });
  it('is unknown when the credential report could not be had and the summary shows none', () => {
    const [r] = c.evaluate(breaks.deny(compliantEvidence(), 'iam.credentialReport', 'timeout'), fixtureContext());
    expect(r).toMatchObject({ status: 'unknown', evidence: { api: 'iam:GetCredentialReport', callStatus: 'timeout' } });
  });
});
