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
    expect(r).toMatchObject({
      status: 'warn',
      evidence: { lastAccessOkAt: hoursAgo(10).toISOString(), maxAgeHours: 48 },
    });
    expect(r?.message).toContain(`last success at ${hoursAgo(10).toISOString()}`);
  });
  it('fails when the last success is older than settings.accessMaxAgeHours', () => {
    const [r] = c.evaluate(breaks.lockout(compliantEvidence()), fixtureContext({ lastAccessOkAt: hoursAgo(49) }));
    expect(r).toMatchObject({ status: 'fail', evidence: { lastAccessOkAt: hoursAgo(49).toISOString() } });
    expect(r?.message).toBe(`No successful access since ${hoursAgo(49).toISOString()}, longer than the allowed 48 h.`);
  });
  it('judges the age to a tenth of an hour: 48.04 h is within a 48 h window, 48.06 h is not', () => {
    const at = (h: number) =>
      c.evaluate(breaks.lockout(compliantEvidence()), fixtureContext({ lastAccessOkAt: hoursAgo(h) }))[0]?.status;
    expect([at(48.04), at(48.06)]).toEqual(['warn', 'fail']);
  });
  it('names no time that moves on by itself: the same outage, a day later, is the same finding until it fails', () => {
    const last = hoursAgo(30);
    const day = (h: number) =>
      c.evaluate(
        breaks.lockout(compliantEvidence()),
        fixtureContext({ now: new Date(FIXTURE_NOW.getTime() + h * 3_600_000), lastAccessOkAt: last }),
      )[0];
    expect(day(10)).toEqual(day(0));
    expect(day(20)).toMatchObject({ status: 'fail' });
    expect(day(44)).toEqual(day(20));
    // Access working: the same finding whatever the collection time.
    const ok = (h: number) =>
      c.evaluate(
        compliantEvidence({ collectedAt: new Date(FIXTURE_NOW.getTime() + h * 3_600_000) }),
        fixtureContext({ lastAccessOkAt: last }),
      )[0];
    expect(ok(24)).toEqual(ok(0));
  });
  it('fails when access never succeeded, and ignores a "success" from the future', () => {
    expect(c.evaluate(breaks.lockout(compliantEvidence()), fixtureContext())[0]?.status).toBe('fail');
    expect(
      c.evaluate(breaks.lockout(compliantEvidence()), fixtureContext({ lastAccessOkAt: hoursAgo(-5) }))[0]?.status,
    ).toBe('fail');
  });
});
