import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext } from '../../testing/evidence.js';
import { ownBillingContact as c } from './own-billing-contact.js';

describe('OWN-BILLING-CONTACT', () => {
  it('passes for a distributor billing contact', () => {
    expect(c.evaluate(compliantEvidence(), fixtureContext())[0]).toMatchObject({
      status: 'pass',
      evidence: { billingContactEmail: 'billing@distributor.example' },
    });
  });
  it('fails when no billing contact is set', () => {
    const [r] = c.evaluate(breaks.billingContact(compliantEvidence(), null), fixtureContext());
    expect(r).toMatchObject({ status: 'fail', evidence: { billingContact: null } });
  });
  it('fails for a partner billing contact, naming it', () => {
    const [r] = c.evaluate(
      breaks.billingContact(compliantEvidence(), { name: 'Acme AP', emailAddress: 'ap@acme.example' }),
      fixtureContext(),
    );
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('ap@acme.example');
  });
  it('is unknown when GetAlternateContact was denied', () => {
    const [r] = c.evaluate(breaks.deny(compliantEvidence(), 'account.alternateContacts.BILLING'), fixtureContext());
    expect(r).toMatchObject({
      status: 'unknown',
      evidence: { api: 'account:GetAlternateContact', errorCode: 'AccessDenied' },
    });
  });
});
