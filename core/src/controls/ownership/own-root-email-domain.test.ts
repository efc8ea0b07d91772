import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext } from '../../testing/evidence.js';
import { ownRootEmailDomain as c } from './own-root-email-domain.js';

describe('OWN-ROOT-EMAIL-DOMAIN', () => {
  it('passes when the management email is on the distributor domain', () => {
    const [r] = c.evaluate(compliantEvidence(), fixtureContext());
    expect(r).toMatchObject({
      status: 'pass',
      evidence: { rootEmail: 'aws+acme@distributor.example', domain: 'distributor.example' },
    });
  });
  it('fails with the email when it is on a partner domain', () => {
    const [r] = c.evaluate(breaks.rootEmail(compliantEvidence(), 'IT@Partner.example'), fixtureContext());
    expect(r?.status).toBe('fail');
    expect(r?.evidence.rootEmail).toBe('IT@Partner.example');
    expect(r?.message).toContain('partner.example');
  });
  it('accepts a subdomain of a distributor domain but not a look-alike', () => {
    expect(
      c.evaluate(breaks.rootEmail(compliantEvidence(), 'a@aws.distributor.example'), fixtureContext())[0]?.status,
    ).toBe('pass');
    expect(
      c.evaluate(breaks.rootEmail(compliantEvidence(), 'a@notdistributor.example'), fixtureContext())[0]?.status,
    ).toBe('fail');
    expect(
      c.evaluate(breaks.rootEmail(compliantEvidence(), 'a@distributor.example.evil'), fixtureContext())[0]?.status,
    ).toBe('fail');
  });
  it("uses the payer's ListAccounts entry when the payer is not the management account", () => {
    const ev = breaks.notManagement(compliantEvidence());
    const [r] = c.evaluate(ev, fixtureContext());
    expect(r).toMatchObject({ status: 'pass', evidence: { source: 'organizations:ListAccounts' } });
  });
  it('is unknown, naming the API and error, when DescribeOrganization was denied', () => {
    const [r] = c.evaluate(breaks.deny(compliantEvidence(), 'organizations.organization'), fixtureContext());
    expect(r).toMatchObject({
      status: 'unknown',
      evidence: { api: 'organizations:DescribeOrganization', errorCode: 'AccessDenied' },
    });
  });
  it('is unknown with the reason, not a denial, for a payer in no organization or in a foreign one', () => {
    const [standalone] = c.evaluate(breaks.standalone(compliantEvidence()), fixtureContext());
    expect(standalone).toMatchObject({ status: 'unknown', evidence: { reason: 'not in an organization' } });
    const [member] = c.evaluate(breaks.memberPayer(compliantEvidence()), fixtureContext());
    expect(member).toMatchObject({ status: 'unknown', evidence: { reason: 'not the management account' } });
    expect(member?.message).not.toMatch(/AccessDenied/);
  });
});
