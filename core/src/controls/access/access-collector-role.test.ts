import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext, withEvidence } from '../../testing/evidence.js';
import { accessCollectorRole as c } from './access-collector-role.js';
import { accessOutcome } from './lockout.js';

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

  it.each([
    ['throttled', 'Throttling'],
    ['error', 'ServiceUnavailable'],
    ['error', 'InternalFailure'],
    ['timeout', 'TimeoutError'],
    ['error', 'ECONNREFUSED'],
    ['error', 'ExpiredToken'],
    ['error', 'InvalidClientTokenId'],
    ['error', 'RegionDisabledException'],
    ['malformed', 'MalformedAnswer'],
    ['error', 'CollectorError'],
  ] as const)('is unknown (access unverified), never a lockout, when AssumeRole answers %s %s', (status, errorCode) => {
    const ev = breaks.lockout(compliantEvidence());
    ev.access = { status, api: 'sts:AssumeRole', errorCode, message: `${errorCode}: simulated` };
    const [r] = c.evaluate(ev, fixtureContext());
    expect(r).toMatchObject({ status: 'unknown', evidence: { lockout: false, accessUnverified: true, errorCode } });
    expect(r?.message).toMatch(/^Access unverified/);
    expect(accessOutcome(ev.access)).toBe('unverified');
  });
  it('is a lockout for AccessDenied in either wording, and unverified when GetCallerIdentity fails after AssumeRole', () => {
    expect(accessOutcome({ status: 'denied', api: 'sts:AssumeRole', errorCode: 'AccessDenied', message: '' })).toBe(
      'lockout',
    );
    expect(
      accessOutcome({ status: 'denied', api: 'sts:AssumeRole', errorCode: 'AccessDeniedException', message: '' }),
    ).toBe('lockout');
    expect(
      accessOutcome({ status: 'error', api: 'sts:GetCallerIdentity', errorCode: 'InternalError', message: '' }),
    ).toBe('unverified');
    expect(accessOutcome(undefined)).toBe('unverified');
  });
});
