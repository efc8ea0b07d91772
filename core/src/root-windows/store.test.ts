import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/index.js';
import { partners, payers } from '../db/schema.js';
import { testDatabase } from '../testing/db.js';
import { periodProblems, windowCovering } from './rules.js';
import {
  approvedWindowsEvidence,
  decideWindow,
  listWindows,
  RootWindowError,
  requestWindow,
  type WindowRequest,
  windowsForPartners,
} from './store.js';

let database: Database;
const NOW = new Date('2026-12-01T10:00:00Z');
const h = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000);
const VIEWER = 'viewer+acme@partner.example';
const ADMIN = 'admin@distributor.example';

const ask = (over: Partial<WindowRequest> = {}): WindowRequest => ({
  partnerId: 'acme',
  payerAccountId: '222222222222',
  reason: 'CHG-42 close the old sandbox account',
  startsAt: h(1),
  endsAt: h(3),
  requestedBy: VIEWER,
  side: 'partner',
  ...over,
});

const refused = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof RootWindowError) return { kind: e.kind, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
};

beforeAll(async () => {
  database = await testDatabase();
  await database.db.insert(partners).values([
    { id: 'acme', name: 'Acme' },
    { id: 'other', name: 'Other' },
  ]);
  await database.db.insert(payers).values([
    { accountId: '222222222222', partnerId: 'acme', roleArn: 'arn:aws:iam::222222222222:role/C', externalId: 'x1' },
    { accountId: '333333333333', partnerId: 'other', roleArn: 'arn:aws:iam::333333333333:role/C', externalId: 'x2' },
  ]);
});
afterAll(async () => database?.close());

describe('the requested period', () => {
  it('is bounded: at least 5 minutes, at most 24 hours, not in the past, at most 30 days ahead', () => {
    expect(periodProblems(h(1), h(3), NOW)).toEqual([]);
    expect(periodProblems(h(-0.05), h(1), NOW)).toEqual([]); // a few minutes of clock skew
    expect(periodProblems(h(3), h(1), NOW)).toEqual(['endsAt: must be after startsAt']);
    expect(periodProblems(h(1), h(1.01), NOW)[0]).toMatch(/at least 5 minutes/);
    expect(periodProblems(h(1), h(26), NOW)[0]).toMatch(/at most 24 hours/);
    expect(periodProblems(h(-2), h(1), NOW)[0]).toMatch(/startsAt: must not be in the past/);
    expect(periodProblems(h(24 * 31), h(24 * 31 + 1), NOW)[0]).toMatch(/at most 30 days ahead/);
    expect(periodProblems(new Date('nope'), h(1), NOW)[0]).toMatch(/startsAt: expected an ISO 8601/);
  });

  it('covers an event from the later of start and approval to the end, inclusive', () => {
    const w = {
      id: 'w',
      reason: 'r',
      startsAt: h(0).toISOString(),
      endsAt: h(2).toISOString(),
      requestedBy: VIEWER,
      requestedBySide: 'partner' as const,
      requestedAt: h(-5).toISOString(),
      approvedBy: ADMIN,
      approvedAt: h(1).toISOString(),
    };
    expect(windowCovering([w], h(0.5).toISOString())).toBeUndefined();
    expect(windowCovering([w], h(1).toISOString())?.id).toBe('w');
    expect(windowCovering([w], h(2).toISOString())?.id).toBe('w');
    expect(windowCovering([w], h(2.01).toISOString())).toBeUndefined();
    expect(windowCovering([w], 'garbage')).toBeUndefined();
  });
});

describe('requests and decisions', () => {
  it('stores a valid request as pending, decided by the other side', async () => {
    const w = await requestWindow(database.db, ask(), NOW);
    expect(w).toMatchObject({
      state: 'pending',
      requestedBy: VIEWER,
      requestedBySide: 'partner',
      decidedBySide: 'distributor',
      startsAt: h(1).toISOString(),
      decidedBy: null,
    });
    expect(w.id).toMatch(/^rw_/);
  });

  it('refuses bad input with every problem named, and a payer of another partner', async () => {
    const bad = await refused(requestWindow(database.db, ask({ reason: '  ', endsAt: h(40) }), NOW));
    expect(bad.kind).toBe('invalid');
    expect(bad.message).toMatch(/reason: .*; endsAt: a window lasts at most 24 hours/);
    const foreign = await refused(requestWindow(database.db, ask({ payerAccountId: '333333333333' }), NOW));
    expect(foreign).toMatchObject({ kind: 'invalid' });
    expect(foreign.message).toMatch(/333333333333 is not a payer account of partner acme/);
    const unknown = await refused(requestWindow(database.db, ask({ payerAccountId: '999999999999' }), NOW));
    expect(unknown.kind).toBe('invalid');
  });

  it('never lets the requester, or anyone on the same side, decide; the other side can, once', async () => {
    const w = await requestWindow(database.db, ask(), NOW);
    const self = await refused(decideWindow(database.db, w.id, 'approved', { email: VIEWER, side: 'partner' }, NOW));
    expect(self).toMatchObject({ kind: 'forbidden' });
    expect(self.message).toMatch(/you requested this window/);
    // The same person with a login on the other side is still the requester.
    const selfOther = await refused(
      decideWindow(database.db, w.id, 'approved', { email: VIEWER.toUpperCase(), side: 'distributor' }, NOW),
    );
    expect(selfOther.kind).toBe('forbidden');
    const sameSide = await refused(
      decideWindow(database.db, w.id, 'approved', { email: 'viewer2@partner.example', side: 'partner' }, NOW),
    );
    expect(sameSide).toMatchObject({ kind: 'forbidden' });
    expect(sameSide.message).toMatch(/a distributor admin decides it/);
    const ok = await decideWindow(
      database.db,
      w.id,
      'approved',
      { email: ADMIN, side: 'distributor', note: 'ok, CHG-42' },
      h(0.5),
    );
    expect(ok).toMatchObject({
      state: 'approved',
      decidedBy: ADMIN,
      decisionNote: 'ok, CHG-42',
      decidedAt: h(0.5).toISOString(),
    });
    const again = await refused(
      decideWindow(database.db, w.id, 'rejected', { email: ADMIN, side: 'distributor' }, NOW),
    );
    expect(again).toMatchObject({ kind: 'conflict' });
    expect(
      (await refused(decideWindow(database.db, 'rw_nope', 'approved', { email: ADMIN, side: 'distributor' }))).kind,
    ).toBe('not_found');
  });

  it('a distributor request is decided by the partner; a pending request past its end expires', async () => {
    const w = await requestWindow(
      database.db,
      ask({ requestedBy: ADMIN, side: 'distributor', reason: 'support plan change' }),
      NOW,
    );
    expect(w.decidedBySide).toBe('partner');
    const otherAdmin = await refused(
      decideWindow(database.db, w.id, 'approved', { email: 'admin2@distributor.example', side: 'distributor' }, NOW),
    );
    expect(otherAdmin.message).toMatch(/the partner's viewer decides it/);
    const late = await refused(decideWindow(database.db, w.id, 'approved', { email: VIEWER, side: 'partner' }, h(4)));
    expect(late).toMatchObject({ kind: 'conflict' });
    expect(late.message).toMatch(/expired/);
    expect((await listWindows(database.db, { state: 'expired' }, h(4))).map((x) => x.id)).toContain(w.id);
    expect((await listWindows(database.db, { state: 'pending' }, h(4))).map((x) => x.id)).not.toContain(w.id);
    const rejected = await decideWindow(database.db, w.id, 'rejected', { email: VIEWER, side: 'partner' }, NOW);
    expect(rejected.state).toBe('rejected');
  });

  it('lists by partner and state, newest request first', async () => {
    await requestWindow(
      database.db,
      ask({ partnerId: 'other', payerAccountId: '333333333333' }),
      new Date(NOW.getTime() + 1000),
    );
    const acme = await listWindows(database.db, { partnerId: 'acme' }, NOW);
    expect(acme.length).toBeGreaterThanOrEqual(3);
    expect(new Set(acme.map((w) => w.partnerId))).toEqual(new Set(['acme']));
    const all = await listWindows(database.db, {}, NOW);
    expect(all[0]?.partnerId).toBe('other');
    expect((await listWindows(database.db, { state: 'approved' }, NOW)).every((w) => w.state === 'approved')).toBe(
      true,
    );
    expect((await listWindows(database.db, { state: 'rejected', partnerId: 'acme' }, NOW)).length).toBe(1);
  });
});

describe('what the payer job and the exports read', () => {
  it("gives the payer job only this payer's approved windows within the look-back", async () => {
    const ev = await approvedWindowsEvidence(database.db, '222222222222', { now: h(5), lookbackDays: 90 });
    expect(ev.status).toBe('ok');
    if (ev.status !== 'ok') return;
    expect(ev.data).toHaveLength(1);
    expect(ev.data[0]).toMatchObject({
      approvedBy: ADMIN,
      approvedAt: h(0.5).toISOString(),
      requestedBySide: 'partner',
    });
    const later = await approvedWindowsEvidence(database.db, '222222222222', { now: h(24 * 100), lookbackDays: 90 });
    expect(later.status === 'ok' && later.data).toEqual([]);
    expect((await approvedWindowsEvidence(database.db, '333333333333', { now: h(5), lookbackDays: 90 })).status).toBe(
      'ok',
    );
  });

  it('shows an export as of a time before a decision as still pending, and leaves out later requests', async () => {
    const asOf = h(0.25); // after the requests (NOW), before the approval (NOW + 30 min)
    const by = await windowsForPartners(database.db, ['acme', 'other'], { since: h(-1000), asOf });
    const approvedLater = by
      .get('acme')
      ?.find((w) => w.reason.startsWith('CHG-42') && w.requestedAt === NOW.toISOString());
    expect(by.get('acme')?.some((w) => w.state === 'approved')).toBe(false);
    expect(approvedLater?.decidedBy ?? null).toBeNull();
    const before = await windowsForPartners(database.db, ['acme'], { since: h(-1000), asOf: h(-1) });
    expect(before.get('acme') ?? []).toEqual([]);
  });
});
