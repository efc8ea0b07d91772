import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext, withEvidence } from '../../testing/evidence.js';
import { govOrgTrail as c } from './gov-org-trail.js';

describe('GOV-ORG-TRAIL', () => {
  it('passes with an organization-wide, multi-region trail that is logging', () => {
    expect(c.evaluate(compliantEvidence(), fixtureContext())[0]).toMatchObject({
      status: 'pass',
      evidence: { trail: 'distributor-org-trail' },
    });
  });
  it('fails naming the stopped trail', () => {
    const [r] = c.evaluate(breaks.trail(compliantEvidence(), 'stopped'), fixtureContext());
    expect(r).toMatchObject({ status: 'fail', evidence: { trail: 'distributor-org-trail', isLogging: false } });
    expect(r?.message).toContain('distributor-org-trail is stopped');
  });
  it('fails when the only trail is single-region, or there is none', () => {
    expect(c.evaluate(breaks.trail(compliantEvidence(), 'single-region'), fixtureContext())[0]?.status).toBe('fail');
    expect(c.evaluate(breaks.trail(compliantEvidence(), 'missing'), fixtureContext())[0]?.message).toBe(
      'No CloudTrail trail exists.',
    );
  });
  it('is unknown when DescribeTrails was denied or the trail status could not be read', () => {
    expect(c.evaluate(breaks.deny(compliantEvidence(), 'cloudtrail.trails'), fixtureContext())[0]?.status).toBe(
      'unknown',
    );
    const ev = withEvidence(compliantEvidence(), (e) => {
      if (e.cloudtrail?.trails.status !== 'ok') return;
      for (const t of e.cloudtrail.trails.data) {
        delete t.isLogging;
        t.statusError = 'AccessDeniedException';
      }
    });
    expect(c.evaluate(ev, fixtureContext())[0]).toMatchObject({
      status: 'unknown',
      evidence: { errorCode: 'AccessDeniedException' },
    });
  });
});
