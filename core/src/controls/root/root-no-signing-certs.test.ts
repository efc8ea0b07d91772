import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext } from '../../testing/evidence.js';
import { rootNoSigningCerts as c } from './root-no-signing-certs.js';

describe('ROOT-NO-SIGNING-CERTS', () => {
  it('passes without root certificates', () =>
    expect(c.evaluate(compliantEvidence(), fixtureContext())[0]?.status).toBe('pass'));
  it('fails with a root signing certificate', () => {
    expect(c.evaluate(breaks.rootSigningCert(compliantEvidence()), fixtureContext())[0]).toMatchObject({
      status: 'fail',
      evidence: { AccountSigningCertificatesPresent: 1, activeInReport: ['cert_1_active'] },
    });
  });
  it('is unknown when GetAccountSummary was denied', () => {
    expect(c.evaluate(breaks.deny(compliantEvidence(), 'iam.accountSummary'), fixtureContext())[0]?.status).toBe(
      'unknown',
    );
  });
});
