import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PayerEvidence } from '../evidence/types.js';
import { breaks, compliantEvidence, FIXTURE_NOW, fixtureContext } from '../testing/evidence.js';
import { evaluatePayer } from './evaluate.js';

/**
 * Findings are stored once per distinct content and each run points at its payer's set (engine/finding-store.ts), so
 * a payer whose state did not change must get the same findings on the next collection: anything a finding names
 * that moves on by itself (the collection time, the credential report IAM generated anew, AWS request ids, counts of
 * the process's own caches) makes storage grow with time instead of with change.
 */

const HOUR = 3_600_000;

/** The same account collected `hours` later: new request ids, a credential report generated anew, a later time. */
function collectedAgain(ev: PayerEvidence, hours: number): PayerEvidence {
  const later = (iso: string) => new Date(Date.parse(iso) + hours * HOUR).toISOString();
  const fresh = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(fresh);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        k === 'requestIds' && Array.isArray(x) ? x.map(() => randomUUID()) : fresh(x),
      ]),
    );
  };
  const again = fresh(structuredClone(ev)) as PayerEvidence;
  again.collectedAt = later(ev.collectedAt);
  if (again.iam?.credentialReportGeneratedTime)
    again.iam.credentialReportGeneratedTime = later(again.iam.credentialReportGeneratedTime);
  return again;
}

function withReportTime(ev: PayerEvidence): PayerEvidence {
  if (ev.iam) ev.iam.credentialReportGeneratedTime = new Date(FIXTURE_NOW.getTime() - HOUR).toISOString();
  return ev;
}

const STATES: [string, () => PayerEvidence][] = [
  ['compliant', () => withReportTime(compliantEvidence())],
  ['locked out', () => breaks.lockout(compliantEvidence())],
  ['root access key', () => withReportTime(breaks.rootAccessKey(compliantEvidence()))],
  ['root signing certificate', () => withReportTime(breaks.rootSigningCert(compliantEvidence()))],
  ['no root MFA', () => withReportTime(breaks.noRootMfa(compliantEvidence()))],
  ['admin without boundary', () => withReportTime(breaks.adminWithoutBoundary(compliantEvidence()))],
  ['boundary with a hole', () => withReportTime(breaks.boundaryHole(compliantEvidence(), ['DenyBoundaryTampering']))],
];

describe('an unchanged payer collected again', () => {
  for (const [name, state] of STATES) {
    it(`gets the same findings, byte for byte (${name})`, () => {
      const ev = state();
      // Last reached an hour before the first collection, and not since when locked out.
      const lastOk = (at: Date) => (ev.access.status === 'ok' ? at : new Date(FIXTURE_NOW.getTime() - HOUR));
      const first = evaluatePayer(ev, fixtureContext({ lastAccessOkAt: lastOk(FIXTURE_NOW) }));
      const laterAt = new Date(FIXTURE_NOW.getTime() + 6 * HOUR);
      const second = evaluatePayer(
        collectedAgain(ev, 6),
        fixtureContext({ now: laterAt, lastAccessOkAt: lastOk(laterAt) }),
      );
      expect(second.length).toBeGreaterThan(0);
      expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    });
  }

  it('still gets a new finding when the state does change (the check above can fail)', () => {
    const ev = withReportTime(compliantEvidence());
    const first = evaluatePayer(ev, fixtureContext({ lastAccessOkAt: FIXTURE_NOW }));
    const changed = evaluatePayer(
      collectedAgain(breaks.rootAccessKey(ev), 6),
      fixtureContext({ lastAccessOkAt: FIXTURE_NOW }),
    );
    expect(JSON.stringify(changed)).not.toBe(JSON.stringify(first));
  });
});
