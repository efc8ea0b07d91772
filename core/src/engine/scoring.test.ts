import { describe, expect, it } from 'vitest';
import type { Severity } from '../controls/types.js';
import { breaks, compliantEvidence, fixtureContext } from '../testing/evidence.js';
import { finding } from '../testing/findings.js';
import { evaluatePayer } from './evaluate.js';
import { gradeFor, scorePartner } from './scoring.js';

const f = finding;

describe('scorePartner', () => {
  it('matches the worked example in docs/scoring.md', () => {
    const s = scorePartner([
      f('A', 'critical', 'pass'),
      f('B', 'high', 'fail'),
      f('C', 'high', 'pass'),
      f('D', 'medium', 'warn'),
      f('E', 'low', 'unknown'),
    ]);
    // earned 10 + 0 + 5 + 1.5 + 0 = 16.5 of 24 -> 68.75 -> 69
    expect(s.score).toBe(69);
    expect(s.grade).toBe('D');
    expect(s.counts).toMatchObject({ pass: 2, fail: 1, warn: 1, unknown: 1, total: 5, failBySeverity: { high: 1 } });
    // The doc's two variants: A failing (27, F) and B suppressed (87, B).
    expect(
      scorePartner([
        f('A', 'critical', 'fail'),
        f('B', 'high', 'fail'),
        f('C', 'high', 'pass'),
        f('D', 'medium', 'warn'),
        f('E', 'low', 'unknown'),
      ]),
    ).toMatchObject({ score: 27, grade: 'F' });
    expect(
      scorePartner([
        f('A', 'critical', 'pass'),
        f('B', 'high', 'suppressed'),
        f('C', 'high', 'pass'),
        f('D', 'medium', 'warn'),
        f('E', 'low', 'unknown'),
      ]),
    ).toMatchObject({ score: 87, grade: 'B' });
  });

  it('a critical failure caps the grade at D however good the rest is', () => {
    const rest = Array.from({ length: 30 }, (_, i) => f(`X${i}`, 'high', 'pass'));
    const s = scorePartner([...rest, f('ROOT-MFA', 'critical', 'fail')]);
    expect(s.grade).toBe('D');
    expect(s.score).toBe(60);
    expect(s.criticalFailures).toEqual(['ROOT-MFA']);
  });

  it('an unseen critical control caps like a failed one, but is not listed as a critical failure', () => {
    const rest = Array.from({ length: 30 }, (_, i) => f(`X${i}`, 'high', 'pass'));
    const s = scorePartner([...rest, f('ROOT-MFA', 'critical', 'unknown')]);
    expect(s).toMatchObject({ score: 60, grade: 'D', criticalFailures: [] });
    expect(s.counts.unknown).toBe(1);
  });

  it('a failed or unknown high control caps the grade at B', () => {
    const rest = Array.from({ length: 30 }, (_, i) => f(`X${i}`, 'critical', 'pass'));
    expect(scorePartner([...rest, f('GOV-ORG-TRAIL', 'high', 'fail')])).toMatchObject({ score: 89, grade: 'B' });
    expect(scorePartner([...rest, f('GOV-ORG-TRAIL', 'high', 'unknown')])).toMatchObject({ score: 89, grade: 'B' });
    expect(scorePartner([...rest, f('OWN-BILLING-CONTACT', 'medium', 'fail')]).grade).toBe('A');
  });

  it('a lockout is grade F, score 0', () => {
    const s = scorePartner([f('ACCESS-COLLECTOR-ROLE', 'critical', 'fail'), f('ACCESS-LAST-SUCCESS', 'high', 'warn')]);
    expect(s).toMatchObject({ score: 0, grade: 'F', lockedOut: true });
  });

  it('access unverified (AssumeRole throttled, 5xx, timed out) is no lockout in the snapshot, nor any critical failure', () => {
    const ev = breaks.lockout(compliantEvidence());
    ev.access = { status: 'throttled', api: 'sts:AssumeRole', errorCode: 'Throttling', message: 'Rate exceeded' };
    const s = scorePartner(evaluatePayer(ev, fixtureContext()));
    expect(s.lockedOut).toBe(false);
    expect(s.criticalFailures).toEqual([]);
    // Still nothing seen: the partner is not rewarded for it (critical unknown caps the grade).
    expect(s.grade).not.toBe('A');
  });

  it('unknown never scores higher than pass, fail or warn would', () => {
    for (const sev of ['critical', 'high', 'medium', 'low'] as Severity[]) {
      const base = [f('A', 'high', 'pass'), f('B', 'medium', 'warn')];
      const unknown = scorePartner([...base, f('Z', sev, 'unknown')]).score;
      expect(unknown).toBeLessThanOrEqual(scorePartner([...base, f('Z', sev, 'fail')]).score);
      expect(unknown).toBeLessThanOrEqual(scorePartner([...base, f('Z', sev, 'warn')]).score);
      expect(unknown).toBeLessThan(scorePartner([...base, f('Z', sev, 'pass')]).score);
      // Not seeing a control is never better than not having it at all.
      expect(unknown).toBeLessThan(scorePartner(base).score);
    }
  });

  it('a partner we cannot see does not outscore one we can see with a medium gap', () => {
    const seen = scorePartner(evaluatePayer(breaks.billingContact(compliantEvidence(), null), fixtureContext()));
    const blind = scorePartner(evaluatePayer(breaks.deny(compliantEvidence(), 'iam.accountSummary'), fixtureContext()));
    expect(blind.score).toBeLessThan(100);
    const unseeable = scorePartner(evaluatePayer(breaks.lockout(compliantEvidence()), fixtureContext()));
    expect(unseeable.score).toBeLessThan(seen.score);
  });

  it('suppressed findings leave the score: same as if the control did not exist', () => {
    const base = [f('A', 'critical', 'pass'), f('B', 'high', 'pass'), f('C', 'medium', 'fail')];
    const suppressed = [...base.slice(0, 2), f('C', 'medium', 'suppressed')];
    expect(scorePartner(suppressed).score).toBe(scorePartner(base.slice(0, 2)).score);
    expect(scorePartner(suppressed).score).toBeGreaterThan(scorePartner(base).score);
    expect(scorePartner(suppressed).counts.suppressed).toBe(1);
  });

  it('many findings of one control weigh as one control (worst status wins)', () => {
    const one = scorePartner([f('A', 'high', 'pass'), f('EV', 'high', 'fail', { resource: 'e1' })]);
    const ten = scorePartner([
      f('A', 'high', 'pass'),
      ...Array.from({ length: 10 }, (_, i) => f('EV', 'high', 'fail', { resource: `e${i}` })),
    ]);
    expect(ten.score).toBe(one.score);
    expect(
      scorePartner([f('EV', 'high', 'pass', { resource: 'a' }), f('EV', 'high', 'unknown', { resource: 'b' })]).score,
    ).toBe(0);
  });

  it('a compliant payer scores 100 / A; nothing to score is 0 / F', () => {
    expect(scorePartner(evaluatePayer(compliantEvidence(), fixtureContext()))).toMatchObject({
      score: 100,
      grade: 'A',
      criticalFailures: [],
    });
    expect(scorePartner([])).toMatchObject({ score: 0, grade: 'F' });
    expect([95, 85, 75, 65, 10].map(gradeFor)).toEqual(['A', 'B', 'C', 'D', 'F']);
  });
});
