import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext } from '../../testing/evidence.js';
import { ownMemberDomains as c } from './own-member-domains.js';

describe('OWN-MEMBER-DOMAINS', () => {
  it('passes when every member uses a distributor domain', () => {
    expect(c.evaluate(compliantEvidence(), fixtureContext())[0]).toMatchObject({
      status: 'pass',
      evidence: { members: 1 },
    });
  });
  it('warns (never fails) for end customer domains, listing them', () => {
    const [r] = c.evaluate(breaks.memberDomain(compliantEvidence(), 'cloud@Customer.example'), fixtureContext());
    expect(r?.status).toBe('warn');
    expect(r?.severity).toBe('low');
    expect(r?.evidence.externalDomains).toEqual([
      { domain: 'customer.example', accounts: 1, accountIds: ['555555555555'] },
    ]);
  });
  it('is unknown when ListAccounts failed', () => {
    expect(
      c.evaluate(breaks.deny(compliantEvidence(), 'organizations.accounts', 'timeout'), fixtureContext())[0]?.status,
    ).toBe('unknown');
  });
  it('passes a payer in no organization (no members) and explains a member payer instead of blaming a denial', () => {
    expect(c.evaluate(breaks.standalone(compliantEvidence()), fixtureContext())[0]).toMatchObject({
      status: 'pass',
      evidence: { members: 0 },
    });
    const [member] = c.evaluate(breaks.memberPayer(compliantEvidence()), fixtureContext());
    expect(member).toMatchObject({ status: 'unknown', evidence: { reason: 'not the management account' } });
  });
});
