import { parseRegistry } from '@payerguard/core';
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../profiles.js';
import { generateEstate } from './generate.js';

const NOW = new Date('2026-06-15T12:00:00Z');

describe('generateEstate', () => {
  it('is deterministic for a seed, down to account contents', () => {
    const a = generateEstate({ partners: 40, seed: 99, now: NOW });
    const b = generateEstate({ partners: 40, seed: 99, now: NOW });
    expect(b.partners).toEqual(a.partners);
    expect(b.registry()).toEqual(a.registry());
    for (const p of a.payers.slice(0, 12)) expect(b.account(p.accountId)).toEqual(a.account(p.accountId));
    // Generating payers lazily in a different order changes nothing.
    const c = generateEstate({ partners: 40, seed: 99, now: NOW });
    const last = a.payers[a.payers.length - 1]!.accountId;
    expect(c.account(last)).toEqual(a.account(last));
  });

  it('differs between seeds', () => {
    const a = generateEstate({ partners: 40, seed: 1, now: NOW });
    const b = generateEstate({ partners: 40, seed: 2, now: NOW });
    expect(b.registry().map((r) => r.payerAccountId)).not.toEqual(a.registry().map((r) => r.payerAccountId));
    expect(b.registry().map((r) => r.externalId)).not.toEqual(a.registry().map((r) => r.externalId));
  });

  it('covers every profile within the first partners, the rest mostly compliant', () => {
    const e = generateEstate({ partners: PROFILES.length, seed: 5, now: NOW });
    const seen = new Set(e.partners.flatMap((p) => p.profiles));
    for (const p of PROFILES) expect(seen, p).toContain(p);
    const big = generateEstate({ partners: 1000, seed: 5, now: NOW });
    const rest = big.partners.slice(PROFILES.length);
    const compliant = rest.filter((p) => p.profiles.length === 1 && p.profiles[0] === 'compliant').length;
    expect(compliant / rest.length).toBeGreaterThan(0.4);
    expect(compliant / rest.length).toBeLessThan(0.75);
    expect(big.partners.filter((p) => p.payerAccountIds.length === 2).length).toBeGreaterThan(10);
  });

  it('produces a registry the product accepts: valid, unique payers, consistent with the settings', () => {
    const e = generateEstate({ partners: 200, seed: 3, now: NOW });
    const text = e
      .registry()
      .map((r) => JSON.stringify(r))
      .join('\n');
    const parsed = parseRegistry(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries).toHaveLength(e.payers.length);
    for (const r of parsed.entries) expect(r.roleArn).toBe(`arn:aws:iam::${r.payerAccountId}:role/PayerGuardCollector`);
    expect(e.payers.every((p) => p.accountId !== e.settings.hubAccountId)).toBe(true);
  });

  it('records the gap of each profile in the account it builds', () => {
    const e = generateEstate({ partners: 30, seed: 8, now: NOW });
    const acct = (profile: (typeof PROFILES)[number]) =>
      e.account(e.partners.find((p) => p.profiles.includes(profile))!.payerAccountIds[0]!)!;
    expect(acct('lockout').roles.some((r) => r.name === 'PayerGuardCollector')).toBe(false);
    expect(acct('billing-role-missing').roles.some((r) => r.name === 'DistributorBillingAdmin')).toBe(false);
    expect(acct('compliant').roles.some((r) => r.name === 'DistributorBillingAdmin')).toBe(true);
    expect(acct('root-no-mfa').root.mfa).toBe('none');
    expect(acct('root-virtual-mfa').root.mfa).toBe('virtual');
    expect(acct('compliant').root.mfa).toBe('hardware');
    expect(
      acct('monitor-rule-missing').rules.some((r) => r.name === e.settings.protectedResources.monitorRuleName),
    ).toBe(false);
    expect(acct('trail-stopped').trails[0]!.isLogging).toBe(false);
    expect(acct('central-root-off').centralRootAccess).toBe(false);
    expect(acct('api-denied').collectorDeniedApis).toHaveLength(1);
    const large = acct('large-payer');
    expect(large.members.length).toBeGreaterThanOrEqual(300);
    expect(large.users.length + large.roles.length).toBeGreaterThanOrEqual(250);
    const compliant = acct('compliant');
    expect(compliant.events.every((ev) => ev.username !== 'root')).toBe(true);
    expect(compliant.events.every((ev) => NOW.getTime() - ev.eventTime.getTime() < 90 * 86_400_000)).toBe(true);
    expect(compliant.spend.length).toBeGreaterThanOrEqual(6);
    expect(compliant.spend[compliant.spend.length - 1]!.estimated).toBe(true);
  });

  it('generates 200 partners in full and 2,000 lazily (times printed as figures, not asserted)', () => {
    let t0 = performance.now();
    const e = generateEstate({ partners: 200, seed: 1 });
    for (const p of e.payers) e.account(p.accountId);
    const ms200 = performance.now() - t0;
    expect(e.payers.length).toBeGreaterThanOrEqual(200);
    t0 = performance.now();
    const big = generateEstate({ partners: 2000, seed: 1 });
    const ms2000 = performance.now() - t0;
    expect(big.payers.length).toBeGreaterThanOrEqual(2000);
    console.log(
      JSON.stringify({
        bench: 'sim-estate',
        partners200FullMs: Math.round(ms200),
        partners2000ListMs: Math.round(ms2000),
      }),
    );
  });

  it('rejects bad sizes and seeds with a clear error', () => {
    expect(() => generateEstate({ partners: -1, seed: 1 })).toThrow(/partners must be/);
    expect(() => generateEstate({ partners: 1.5, seed: 1 })).toThrow(/partners must be/);
    expect(() => generateEstate({ partners: 10, seed: Number.NaN })).toThrow(/seed must be/);
  });
});
