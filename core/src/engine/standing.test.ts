import { describe, expect, it } from 'vitest';
import { finding } from '../testing/findings.js';
import { GRADES, scorePartner } from './scoring.js';
import { compliantShare, isAtRisk, isCompliant } from './standing.js';

const f = finding;

describe('compliant and at risk', () => {
  it('never calls a partner compliant while a critical control is unknown, though nothing critical fails', () => {
    const blind = scorePartner([f('ROOT-MFA', 'critical', 'unknown'), f('ROOT-NO-ACCESS-KEYS', 'critical', 'pass')]);
    expect(blind.criticalFailures).toEqual([]);
    expect(isAtRisk(blind)).toBe(false);
    expect(isCompliant(blind)).toBe(false);
  });

  it('a lockout is at risk and never compliant', () => {
    const locked = scorePartner([f('ACCESS-COLLECTOR-ROLE', 'critical', 'fail'), f('ROOT-MFA', 'critical', 'unknown')]);
    expect(locked.lockedOut).toBe(true);
    expect(isAtRisk(locked)).toBe(true);
    expect(isCompliant(locked)).toBe(false);
  });

  it('compliant means grade A or B; the share is over scored partners', () => {
    expect(GRADES.filter((grade) => isCompliant({ grade }))).toEqual(['A', 'B']);
    expect(compliantShare([{ grade: 'A' }, { grade: 'B' }, { grade: 'D' }])).toBe(0.667);
    expect(compliantShare([])).toBeNull();
  });
});
