import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../controls/types.js';
import type { Database } from '../db/index.js';
import { testDatabase } from '../testing/db.js';
import {
  applySuppressions,
  approveSuppression,
  createSuppression,
  listSuppressions,
  revokeSuppression,
  type Suppression,
  SuppressionError,
} from './suppressions.js';

const NOW = new Date('2026-11-15T12:00:00Z');
const later = (days: number) => new Date(NOW.getTime() + days * 86_400_000);

const finding = (
  status: Finding['status'],
  resource = '',
  controlId = 'ROOT-MONITOR-RULE',
  partnerId = 'acme',
): Finding => ({
  controlId,
  title: 't',
  category: 'root',
  partnerId,
  payerAccountId: '222222222222',
  resource,
  status,
  severity: 'high',
  message: 'm',
  evidence: { x: 1 },
  remediation: 'r',
});
const sup = (over: Partial<Suppression> = {}): Suppression => ({
  id: 'sup_1',
  partnerId: 'acme',
  controlId: 'ROOT-MONITOR-RULE',
  resource: '',
  reason: 'CHG-1',
  approver: 'ciso',
  expiresAt: later(10),
  createdBy: 'admin',
  createdAt: NOW,
  revokedAt: null,
  revokedBy: null,
  approvedAt: NOW,
  secondApprover: null,
  ...over,
});

describe('applySuppressions', () => {
  it('suppresses fail and warn findings of the control, keeping what was accepted', () => {
    const [a, b] = applySuppressions([finding('fail'), finding('warn', 'arn:x')], [sup()], NOW);
    expect(a).toMatchObject({
      status: 'suppressed',
      suppressionId: 'sup_1',
      evidence: { x: 1, suppressedStatus: 'fail' },
    });
    expect(b?.status).toBe('suppressed');
  });
  it('never suppresses pass or unknown', () => {
    expect(applySuppressions([finding('pass'), finding('unknown')], [sup()], NOW).map((f) => f.status)).toEqual([
      'pass',
      'unknown',
    ]);
  });
  it('a resource suppression covers that resource only; other partners and controls are untouched', () => {
    const out = applySuppressions(
      [
        finding('fail', 'evt-1'),
        finding('fail', 'evt-2'),
        finding('fail', 'evt-1', 'ROOT-MFA'),
        finding('fail', 'evt-1', 'ROOT-MONITOR-RULE', 'other'),
      ],
      [sup({ resource: 'evt-1' })],
      NOW,
    );
    expect(out.map((f) => f.status)).toEqual(['suppressed', 'fail', 'fail', 'fail']);
  });
  it('expired and revoked suppressions no longer apply', () => {
    expect(applySuppressions([finding('fail')], [sup({ expiresAt: NOW })], NOW)[0]?.status).toBe('fail');
    expect(applySuppressions([finding('fail')], [sup({ expiresAt: later(-1) })], NOW)[0]?.status).toBe('fail');
    expect(applySuppressions([finding('fail')], [sup({ revokedAt: NOW })], NOW)[0]?.status).toBe('fail');
    expect(applySuppressions([finding('fail')], [sup({ expiresAt: later(1) })], later(2))[0]?.status).toBe('fail');
  });

  it('a suppression waiting for its second approval changes no verdict', () => {
    expect(applySuppressions([finding('fail')], [sup({ approvedAt: null })], NOW)[0]?.status).toBe('fail');
  });
});

describe('suppression storage', () => {
  let database: Database;
  beforeAll(async () => {
    database = await testDatabase();
  });
  afterAll(async () => database?.close());

  it('creates, lists active ones, revokes, and hides expired unless asked', async () => {
    const { db } = database;
    const a = await createSuppression(
      db,
      {
        partnerId: 'acme',
        controlId: 'ROOT-MFA',
        reason: 'device in transit',
        approver: 'ciso',
        expiresAt: later(7),
        createdBy: 'admin',
      },
      { now: NOW },
    );
    const b = await createSuppression(
      db,
      {
        partnerId: 'acme',
        controlId: 'GOV-ORG-TRAIL',
        resource: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/t',
        reason: 'migrating',
        approver: 'ciso',
        expiresAt: later(1).toISOString(),
        createdBy: 'admin',
      },
      { now: NOW },
    );
    await createSuppression(
      db,
      {
        partnerId: 'other',
        controlId: 'ROOT-MFA',
        reason: 'r',
        approver: 'a',
        expiresAt: later(7),
        createdBy: 'admin',
      },
      { now: NOW },
    );
    expect(a.id).toMatch(/^sup_[0-9a-f]{16}$/);
    expect(b.resource).toContain('trail/t');
    expect((await listSuppressions(db, { partnerId: 'acme', now: NOW })).map((s) => s.id).sort()).toEqual(
      [a.id, b.id].sort(),
    );
    // Two days on, b has expired.
    expect((await listSuppressions(db, { partnerId: 'acme', now: later(2) })).map((s) => s.id)).toEqual([a.id]);
    expect(await listSuppressions(db, { partnerId: 'acme', now: later(2), includeExpired: true })).toHaveLength(2);
    const revoked = await revokeSuppression(db, a.id, 'ciso', NOW);
    expect(revoked).toMatchObject({ id: a.id, revokedBy: 'ciso' });
    expect(await revokeSuppression(db, a.id, 'ciso', NOW)).toBeNull();
    expect(await revokeSuppression(db, 'sup_missing', 'ciso', NOW)).toBeNull();
    expect((await listSuppressions(db, { partnerId: 'acme', now: NOW })).map((s) => s.id)).toEqual([b.id]);
    expect(await listSuppressions(db, { now: NOW })).toHaveLength(2);
  });

  it('rejects bad input with every field error and stores nothing', async () => {
    const { db } = database;
    const before = (await listSuppressions(db, { includeExpired: true })).length;
    const err = await createSuppression(
      db,
      { partnerId: '', controlId: 'NOPE', reason: ' ', approver: '', expiresAt: 'yesterday', createdBy: 'admin' },
      { now: NOW, knownControlIds: new Set(['ROOT-MFA']) },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SuppressionError);
    expect((err as SuppressionError).errors.map((e) => e.path)).toEqual([
      'partnerId',
      'controlId',
      'reason',
      'approver',
      'expiresAt',
    ]);
    await expect(
      createSuppression(
        db,
        { partnerId: 'acme', controlId: 'ROOT-MFA', reason: 'r', approver: 'a', expiresAt: later(-1), createdBy: 'x' },
        { now: NOW },
      ),
    ).rejects.toThrow(/expiresAt: must be in the future/);
    expect((await listSuppressions(db, { includeExpired: true })).length).toBe(before);
  });

  it('bounds the expiry, keeps critical ones pending until a second person approves, never the requester', async () => {
    const { db } = database;
    const base = { partnerId: 'acme', controlId: 'ROOT-MFA', reason: 'CHG-9', approver: 'a@x', createdBy: 'a@x' };
    await expect(createSuppression(db, { ...base, expiresAt: later(91), maxDays: 90 }, { now: NOW })).rejects.toThrow(
      /expiresAt: must be at most 90 days from now/,
    );
    const p = await createSuppression(
      db,
      { ...base, expiresAt: later(30), maxDays: 90, needsSecondApproval: true },
      { now: NOW },
    );
    expect(p.approvedAt).toBeNull();
    const active = await listSuppressions(db, { now: NOW });
    expect(active.map((s) => s.id)).not.toContain(p.id);
    expect((await listSuppressions(db, { now: NOW, includePending: true })).map((s) => s.id)).toContain(p.id);
    expect(await approveSuppression(db, p.id, 'a@x', NOW)).toEqual({ ok: false, reason: 'same_person' });
    const ok = await approveSuppression(db, p.id, 'b@x', NOW);
    expect(ok.ok && ok.suppression.secondApprover).toBe('b@x');
    expect((await listSuppressions(db, { now: NOW })).map((s) => s.id)).toContain(p.id);
    expect(await approveSuppression(db, p.id, 'c@x', NOW)).toEqual({ ok: false, reason: 'not_pending' });
  });
});
