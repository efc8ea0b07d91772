import { describe, expect, it } from 'vitest';
import {
  breaks,
  compliantEvidence,
  FIXTURE_NOW,
  fixtureContext,
  rootEvent,
  withEvidence,
} from '../../testing/evidence.js';
import { rootSigninMfa as c } from './root-signin-mfa.js';

describe('ROOT-SIGNIN-MFA', () => {
  it('passes when every root sign-in used MFA', () => {
    expect(c.evaluate(compliantEvidence(), fixtureContext())[0]).toMatchObject({
      status: 'pass',
      evidence: { signIns: 1 },
    });
  });
  it('fails once per sign-in without MFA, naming the event id, time and IP', () => {
    const ev = breaks.rootSigninWithoutMfa(breaks.rootSigninWithoutMfa(compliantEvidence(), 'evt-a'), 'evt-b');
    const rs = c.evaluate(ev, fixtureContext());
    expect(rs.map((r) => [r.status, r.resource])).toEqual([
      ['fail', 'evt-a'],
      ['fail', 'evt-b'],
    ]);
    expect(rs[0]?.evidence).toMatchObject({ eventId: 'evt-a', sourceIPAddress: '203.0.113.7', mfaUsed: false });
  });
  it('ignores failed sign-in attempts and sign-ins older than the look-back', () => {
    const ev = withEvidence(compliantEvidence(), (e) => {
      if (e.cloudtrail?.rootEvents.status !== 'ok') return;
      const base = {
        eventName: 'ConsoleLogin',
        eventSource: 'signin.amazonaws.com',
        eventType: 'AwsConsoleSignIn',
        mfaUsed: false,
      };
      e.cloudtrail.rootEvents.data.push(
        rootEvent(e.payerAccountId, { ...base, eventId: 'evt-failed', outcome: 'Failure' }),
      );
      e.cloudtrail.rootEvents.data.push(
        rootEvent(e.payerAccountId, {
          ...base,
          eventId: 'evt-old',
          outcome: 'Success',
          eventTime: new Date(FIXTURE_NOW.getTime() - 91 * 86_400_000).toISOString(),
        }),
      );
    });
    expect(c.evaluate(ev, fixtureContext())[0]).toMatchObject({ status: 'pass', evidence: { failedAttempts: 1 } });
  });
  it('judges ConsoleLogin only, and ignores AWS service events', () => {
    const ev = withEvidence(compliantEvidence(), (e) => {
      if (e.cloudtrail?.rootEvents.status !== 'ok') return;
      e.cloudtrail.rootEvents.data.push(
        rootEvent(e.payerAccountId, {
          eventId: 'evt-checkmfa',
          eventName: 'CheckMfa',
          eventSource: 'signin.amazonaws.com',
          eventType: 'AwsConsoleSignIn',
          mfaUsed: undefined,
        }),
        rootEvent(e.payerAccountId, {
          eventId: 'evt-svc',
          eventName: 'ConsoleLogin',
          eventSource: 'signin.amazonaws.com',
          eventType: 'AwsServiceEvent',
          mfaUsed: false,
          outcome: 'Success',
        }),
      );
    });
    expect(c.evaluate(ev, fixtureContext())[0]).toMatchObject({ status: 'pass', evidence: { signIns: 1 } });
  });
  it('is unknown when LookupEvents was denied', () => {
    expect(c.evaluate(breaks.deny(compliantEvidence(), 'cloudtrail.rootEvents'), fixtureContext())[0]).toMatchObject({
      status: 'unknown',
      evidence: { api: 'cloudtrail:LookupEvents' },
    });
  });
});
