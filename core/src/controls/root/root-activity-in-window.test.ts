import { describe, expect, it } from 'vitest';
import type { ApprovedRootWindow, PayerEvidence } from '../../evidence/types.js';
import {
  breaks,
  compliantEvidence,
  FIXTURE_NOW,
  fixtureContext,
  rootEvent,
  withEvidence,
} from '../../testing/evidence.js';
import { rootActivityInWindow as c } from './root-activity-in-window.js';

const at = (hoursBeforeNow: number) => new Date(FIXTURE_NOW.getTime() - hoursBeforeNow * 3_600_000).toISOString();

const window = (over: Partial<ApprovedRootWindow> = {}): ApprovedRootWindow => ({
  id: 'rw-test',
  reason: 'CHG-2001 close a member account',
  startsAt: at(30),
  endsAt: at(26),
  requestedBy: 'viewer@partner.example',
  requestedBySide: 'partner',
  requestedAt: at(50),
  approvedBy: 'admin@distributor.example',
  approvedAt: at(40),
  ...over,
});

const withWindows = (ev: PayerEvidence, windows: ApprovedRootWindow[]) =>
  withEvidence(ev, (e) => {
    e.rootAccessWindows = { status: 'ok', api: 'payerguard:ApprovedRootAccessWindows', data: windows };
  });

const addEvent = (ev: PayerEvidence, e: Parameters<typeof rootEvent>[1]) =>
  withEvidence(ev, (x) => {
    if (x.cloudtrail?.rootEvents.status === 'ok') x.cloudtrail.rootEvents.data.push(rootEvent(x.payerAccountId, e));
  });

const signIn = (eventId: string, hoursAgo: number, mfaUsed: boolean, outcome = 'Success') => ({
  eventId,
  eventName: 'ConsoleLogin',
  eventSource: 'signin.amazonaws.com',
  eventType: 'AwsConsoleSignIn',
  eventTime: at(hoursAgo),
  mfaUsed,
  outcome,
});

describe('ROOT-ACTIVITY-IN-WINDOW', () => {
  it('passes when every root event fell inside an approved window, naming the window of each', () => {
    const [r, ...rest] = c.evaluate(compliantEvidence(), fixtureContext());
    expect(rest).toEqual([]);
    expect(r).toMatchObject({ status: 'pass', evidence: { events: 2, approvedWindows: 1 } });
    const inside = (r?.evidence.inside ?? []) as { eventId: string; windowId: string }[];
    expect(inside.map((e) => e.windowId)).toEqual(['rw-222222222222-billing', 'rw-222222222222-billing']);
  });

  it('passes with no root activity at all, windows or not', () => {
    const ev = withWindows(
      withEvidence(compliantEvidence(), (e) => {
        if (e.cloudtrail?.rootEvents.status === 'ok') e.cloudtrail.rootEvents.data = [];
      }),
      [],
    );
    expect(c.evaluate(ev, fixtureContext())).toEqual([
      expect.objectContaining({ status: 'pass', message: 'No root activity in the last 90 days.' }),
    ]);
  });

  it('with no approved window at all, every root event is a violation', () => {
    const rs = c.evaluate(withWindows(compliantEvidence(), []), fixtureContext());
    expect(rs.map((r) => [r.status, r.resource])).toEqual([
      ['fail', 'evt-222222222222-signin'],
      ['fail', 'evt-222222222222-billing-access'],
    ]);
    expect(rs[0]?.message).toMatch(/this payer has no approved root-access window/);
    expect(rs[0]?.evidence).toMatchObject({ windowId: null, approvedWindows: 0 });
  });

  it('a console sign-in without MFA outside any window is critical; an API call outside is the control severity', () => {
    let ev = withWindows(compliantEvidence(), [window()]);
    ev = addEvent(ev, signIn('evt-nomfa', 5, false));
    ev = addEvent(ev, { eventId: 'evt-api', eventName: 'CreateUser', eventTime: at(6) });
    const rs = c.evaluate(ev, fixtureContext());
    const by = new Map(rs.map((r) => [r.resource ?? '', r]));
    expect(by.get('evt-nomfa')).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(by.get('evt-nomfa')?.message).toMatch(/without MFA .* outside every approved root-access window/);
    expect(by.get('evt-api')).toMatchObject({ status: 'fail' });
    expect(by.get('evt-api')?.severity).toBeUndefined();
    // The compliant fixture's events are outside this window (10 days ago): violations too.
    expect(by.get('evt-222222222222-signin')?.status).toBe('fail');
  });

  it('keeps the events inside windows beside the violations (the audit trail), and the unit fails', () => {
    let ev = withWindows(compliantEvidence(), [window()]);
    ev = addEvent(ev, signIn('evt-in', 28, true));
    ev = addEvent(ev, signIn('evt-out', 20, true));
    const rs = c.evaluate(ev, fixtureContext());
    const pass = rs.find((r) => r.status === 'pass');
    const inside = (pass?.evidence.inside ?? []) as { eventId: string; windowId: string }[];
    expect(inside.map((e) => [e.eventId, e.windowId])).toEqual([['evt-in', 'rw-test']]);
    expect(rs.filter((r) => r.status === 'fail').map((r) => r.resource)).toContain('evt-out');
  });

  it('root used after the window started but before the other party approved it is outside', () => {
    let ev = withWindows(compliantEvidence(), [window({ startsAt: at(30), approvedAt: at(28), endsAt: at(26) })]);
    ev = addEvent(ev, signIn('evt-early', 29, true));
    ev = addEvent(ev, signIn('evt-after-approval', 27, true));
    ev = addEvent(ev, signIn('evt-at-end', 26, true));
    ev = addEvent(ev, signIn('evt-late', 25.9, true));
    const failing = c
      .evaluate(ev, fixtureContext())
      .filter((r) => r.status === 'fail')
      .map((r) => r.resource);
    expect(failing).toContain('evt-early');
    expect(failing).toContain('evt-late');
    expect(failing).not.toContain('evt-after-approval');
    expect(failing).not.toContain('evt-at-end');
  });

  it('a failed root sign-in attempt outside a window is a medium warning, not use', () => {
    const ev = addEvent(
      withWindows(compliantEvidence(), [window({ startsAt: at(240), approvedAt: at(250), endsAt: at(238) })]),
      signIn('evt-failed', 3, false, 'Failure'),
    );
    const rs = c.evaluate(ev, fixtureContext());
    expect(rs.find((r) => r.resource === 'evt-failed')).toMatchObject({ status: 'warn', severity: 'medium' });
  });

  it('ignores AWS service events and events older than the look-back', () => {
    let ev = withWindows(compliantEvidence(), []);
    ev = withEvidence(ev, (e) => {
      if (e.cloudtrail?.rootEvents.status === 'ok') e.cloudtrail.rootEvents.data = [];
    });
    ev = addEvent(ev, { eventId: 'evt-svc', eventName: 'AssumeRole', eventType: 'AwsServiceEvent', eventTime: at(3) });
    ev = addEvent(ev, { eventId: 'evt-old', eventName: 'CreateUser', eventTime: at(91 * 24) });
    expect(c.evaluate(ev, fixtureContext())).toEqual([expect.objectContaining({ status: 'pass' })]);
  });

  it('a root event whose time cannot be read is never placed in a window', () => {
    const ev = addEvent(
      withWindows(compliantEvidence(), [window({ startsAt: at(2000), approvedAt: at(2100), endsAt: at(1) })]),
      {
        eventId: 'evt-notime',
        eventName: 'CreateUser',
        eventTime: 'yesterday-ish',
      },
    );
    expect(c.evaluate(ev, fixtureContext()).find((r) => r.resource === 'evt-notime')?.status).toBe('fail');
  });

  it('is unknown when root events or the windows could not be read', () => {
    expect(c.evaluate(breaks.deny(compliantEvidence(), 'cloudtrail.rootEvents'), fixtureContext())[0]).toMatchObject({
      status: 'unknown',
      evidence: { api: 'cloudtrail:LookupEvents' },
    });
    expect(
      c.evaluate(breaks.deny(compliantEvidence(), 'rootAccessWindows', 'error'), fixtureContext())[0],
    ).toMatchObject({
      status: 'unknown',
      evidence: { api: 'payerguard:ApprovedRootAccessWindows' },
    });
    const missing = withEvidence(compliantEvidence(), (e) => {
      delete e.rootAccessWindows;
    });
    expect(c.evaluate(missing, fixtureContext())[0]).toMatchObject({
      status: 'unknown',
      evidence: { reason: 'not collected' },
    });
  });
});
