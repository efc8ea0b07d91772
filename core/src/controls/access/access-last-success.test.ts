import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, FIXTURE_NOW, fixtureContext } from '../../testing/evidence.js';
import { accessLastSuccess as c } from './access-last-success.js';

const hoursAgo = (h: number) => new Date(FIXTURE_NOW.getTime() - h * 3_600_000);

describe('ACCESS-LAST-SUCCESS', () => {
  it('passes when access works now', () => {
    expect(c.evaluate(compliantEvidence(), fixtureContext({ lastAccessOkAt: hoursAgo(500) }))[0]?.status).toBe('pass');
  });
  it('warns when access fails but the last success is within the window', () => {
    const [r] = c.evaluate(breaks.lockout(compliantEvidence()), fixtureContext({ lastAccessOkAt: hoursAgo(10) }));
    expect(r).toMatchObject({ status: 'warn', evidence: { ageHours: 10, maxAgeHours: 48 } });
  });
  it('fails when the last success is older than settings.accessMaxAgeHours', () => {
    const [r] = c.evaluate(breaks.lockout(compliantEvidence()), fixtureContext({ lastAccessOkAt: hoursAgo(49) }));
    expect(r).toMatchObject({ status: 'fail', evidence: { ageHours: 49 } });
  });
  it('fails when access never succeeded, and ignores a "success" from the future', () => {
    expect(c.evaluate(breaks.lockout(compliantEvidence()), fixtureContext())[0]?.status).toBe('fail');
    expect(
      c.evaluate(breaks.lockout(compliantEvidence()), fixtureContext({ lastAccessOkAt: hoursAgo(-5) }))[0]?.status,
    ).toBe('fail');
  });
});
