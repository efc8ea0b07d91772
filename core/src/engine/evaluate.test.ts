import { describe, expect, it } from 'vitest';
import { CONTROLS } from '../controls/all-controls.js';
import type { Control } from '../controls/types.js';
import { breaks, compliantEvidence, fixtureContext } from '../testing/evidence.js';
import { evaluatePayer } from './evaluate.js';

describe('evaluatePayer', () => {
  it('runs every registered control; the compliant fixture passes them all', () => {
    const fs = evaluatePayer(compliantEvidence(), fixtureContext());
    expect(new Set(fs.map((f) => f.controlId))).toEqual(new Set(CONTROLS.map((c) => c.id)));
    expect(fs.filter((f) => f.status !== 'pass').map((f) => `${f.controlId}: ${f.message}`)).toEqual([]);
    for (const f of fs) {
      expect(f.partnerId).toBe('acme');
      expect(f.payerAccountId).toBe('222222222222');
      expect(f.remediation.length).toBeGreaterThan(20);
    }
  });

  it('on a lockout: collector role fails, every control that needs access is unknown (no access)', () => {
    const fs = evaluatePayer(breaks.lockout(compliantEvidence()), fixtureContext());
    const byId = new Map(fs.map((f) => [f.controlId, f]));
    expect(byId.get('ACCESS-COLLECTOR-ROLE')?.status).toBe('fail');
    expect(byId.get('ACCESS-LAST-SUCCESS')?.status).toBe('fail');
    const others = fs.filter(
      (f) => !f.controlId.startsWith('ACCESS-COLLECTOR') && f.controlId !== 'ACCESS-LAST-SUCCESS',
    );
    expect(others.length).toBe(CONTROLS.length - 2);
    for (const f of others) {
      expect(f.status).toBe('unknown');
      expect(f.evidence).toMatchObject({ reason: 'no access', errorCode: 'AccessDenied' });
    }
  });

  it('turns a control that throws (or returns nothing) into an unknown finding naming the error', () => {
    const base = CONTROLS[0] as Control;
    const throwing: Control = {
      ...base,
      id: 'TEST-THROWS',
      evaluate: () => {
        throw new TypeError('boom: cannot read x');
      },
    };
    const empty: Control = { ...base, id: 'TEST-EMPTY', evaluate: () => [] };
    const fs = evaluatePayer(compliantEvidence(), fixtureContext(), [throwing, empty, base]);
    expect(fs.map((f) => [f.controlId, f.status])).toEqual([
      ['TEST-THROWS', 'unknown'],
      ['TEST-EMPTY', 'unknown'],
      [base.id, 'pass'],
    ]);
    expect(fs[0]?.message).toContain('boom: cannot read x');
  });

  it('survives evidence with whole sections missing (old collectors): unknown, not a crash', () => {
    const ev = compliantEvidence();
    delete ev.iam;
    delete ev.cloudtrail;
    const fs = evaluatePayer(ev, fixtureContext());
    expect(fs.find((f) => f.controlId === 'ROOT-MFA')).toMatchObject({
      status: 'unknown',
      evidence: { reason: 'not collected' },
    });
    expect(fs.find((f) => f.controlId === 'GOV-ORG-TRAIL')?.status).toBe('unknown');
    expect(fs.find((f) => f.controlId === 'OWN-ROOT-EMAIL-DOMAIN')?.status).toBe('pass');
  });
});
