import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../evidence/types.js';
import { boundaryArnFor, defaultSettings } from '../settings.js';
import { type BoundaryCheckResult, checkBoundary } from './check.js';
import { referenceBoundary } from './reference-boundary.js';
import { attackerVariants, namedBoundariesIn } from './targets.js';

/** Issue 10: the boundary read as an attacker reads it. */
const settings = defaultSettings();
const ACCT = '123456789012';
const ARN = boundaryArnFor(settings, ACCT);
const OTHER = `arn:aws:iam::${ACCT}:policy/partner-fence`;
type Stmt = Record<string, unknown>;
const ref = () => referenceBoundary(settings, ACCT);
const withStatement = (sid: string, change: (s: Stmt) => Stmt, doc: PolicyDocument = ref()): PolicyDocument => ({
  ...doc,
  Statement: (doc.Statement as Stmt[]).map((s) => (s.Sid === sid ? change(s) : s)),
});
const check = (boundary: unknown) =>
  checkBoundary({ boundary, boundaryArn: ARN, now: new Date('2026-11-15T12:00:00Z') });
const failed = (r: BoundaryCheckResult, id: string) => r.checks.find((c) => c.id === id && c.status === 'fail');

/** The reference boundary, except that its creation fence also accepts OTHER as a new principal's boundary. */
const acceptsOther = (): PolicyDocument =>
  withStatement('DenyUnboundedPrincipals', (s) => ({
    ...s,
    Condition: { StringNotEquals: { 'iam:PermissionsBoundary': [ARN, OTHER] } },
  }));

describe('a boundary whose iam:PermissionsBoundary condition names another policy', () => {
  it('finds the other policy, and only it', () => {
    expect(namedBoundariesIn(acceptsOther(), ARN, ACCT)).toEqual([OTHER]);
    expect(namedBoundariesIn(ref(), ARN, ACCT)).toEqual([]);
  });
  it('reports the route: create (or rewrite) that policy, then create a principal with it as boundary', () => {
    const r = check(acceptsOther());
    const f = failed(r, 'create-principal-with-named-policy');
    expect(f, JSON.stringify(r.checks.map((c) => [c.id, c.status]))).toBeDefined();
    const steps = f?.open?.[0]?.steps ?? [];
    expect(steps[0]).toEqual({ action: 'iam:CreatePolicy', resource: OTHER });
    expect(steps[1]?.action).toMatch(/^iam:Create(User|Role)$/);
    expect(r.effective).toBe(false);
    // The plain creation checks still pass: without the other policy in hand the fence holds.
    expect(failed(r, 'create-user-unbounded')).toBeUndefined();
  });
  it('passes when the other policy is protected as the boundary is', () => {
    const protectedToo = withStatement(
      'DenyBoundaryTampering',
      (s) => ({
        ...s,
        Action: [...new Set([...(s.Action as string[]), 'iam:CreatePolicy'])],
        Resource: [...(Array.isArray(s.Resource) ? (s.Resource as string[]) : [s.Resource as string]), OTHER],
      }),
      acceptsOther(),
    );
    expect(failed(check(protectedToo), 'create-principal-with-named-policy')).toBeUndefined();
  });
  it('has nothing to report for the reference boundary', () => {
    expect(failed(check(ref()), 'create-principal-with-named-policy')).toBeUndefined();
  });
});

describe('every value a Deny condition compares against is a request the attacker tries', () => {
  /** The creation fence, with an exemption for requests that tag the new principal exempt=yes. */
  const exemptByTag = (): PolicyDocument =>
    withStatement('DenyUnboundedPrincipals', (s) => ({
      ...s,
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': ARN, 'aws:RequestTag/Exempt': 'yes' } },
    }));
  it('turns each compared value into a request variant, keeping the key as written', () => {
    expect(attackerVariants(exemptByTag())).toContainEqual({
      label: 'with aws:RequestTag/Exempt = yes',
      set: { 'aws:RequestTag/Exempt': 'yes' },
      remove: [],
    });
    // Keys the caller cannot choose (who it is, which account owns the resource) and the boundary key are not tried.
    expect(attackerVariants(ref())).toEqual([]);
  });
  it('finds the escape: create an unfenced user and tag it with the exempt value', () => {
    const f = failed(check(exemptByTag()), 'create-user-unbounded');
    expect(f).toBeDefined();
    expect(f?.open?.[0]?.requestContext).toBe('with aws:RequestTag/Exempt = yes');
  });
});
