import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../settings.js';
import {
  breaks,
  compliantEvidence,
  FIXTURE_NOW,
  fixtureContext,
  rootEvent,
  withEvidence,
} from '../../testing/evidence.js';
import { rootActivityRootOnlyTasks as c } from './root-activity-root-only-tasks.js';

describe('ROOT-ACTIVITY-ROOT-ONLY-TASKS', () => {
  it('passes for a sign-in and a root-only task (activating IAM billing access)', () => {
    const [r] = c.evaluate(compliantEvidence(), fixtureContext());
    expect(r?.status).toBe('pass');
    expect(r?.evidence.allowed).toEqual([
      expect.objectContaining({ eventName: 'ConsoleLogin', why: 'sign-in' }),
      expect.objectContaining({ eventName: 'SetIAMAccessPreference', why: 'root-only task: billing-iam-access' }),
    ]);
  });
  it('fails for each everyday root call, naming event id, name, time, source IP and MFA', () => {
    const rs = c.evaluate(breaks.rootEverydayTask(compliantEvidence(), 'evt-ec2', 'RunInstances'), fixtureContext());
    expect(rs).toHaveLength(1);
    expect(rs[0]).toMatchObject({
      status: 'fail',
      resource: 'evt-ec2',
      evidence: { eventId: 'evt-ec2', eventName: 'RunInstances', sourceIPAddress: '203.0.113.7', mfaUsed: false },
    });
    expect(rs[0]?.message).toContain('without MFA');
  });
  it('judges by event source too: CreateAccessKey is root-only in IAM, not a same-named call elsewhere', () => {
    const ev = withEvidence(compliantEvidence(), (e) => {
      if (e.cloudtrail?.rootEvents.status !== 'ok') return;
      e.cloudtrail.rootEvents.data.push(
        rootEvent(e.payerAccountId, { eventId: 'evt-key', eventName: 'CreateAccessKey' }),
      );
      e.cloudtrail.rootEvents.data.push(
        rootEvent(e.payerAccountId, {
          eventId: 'evt-odd',
          eventName: 'CreateAccessKey',
          eventSource: 'example.amazonaws.com',
        }),
      );
    });
    expect(c.evaluate(ev, fixtureContext()).map((r) => r.resource)).toEqual(['evt-odd']);
  });
  it('honours approved root windows', () => {
    const settings = defaultSettings();
    const t = FIXTURE_NOW.getTime() - 5 * 86_400_000;
    settings.approvedRootWindows = [
      {
        start: new Date(t - 3_600_000).toISOString(),
        end: new Date(t + 3_600_000).toISOString(),
        reason: 'CHG-7 migration',
      },
    ];
    const [r] = c.evaluate(breaks.rootEverydayTask(compliantEvidence()), fixtureContext({ settings }));
    expect(r?.status).toBe('pass');
    expect(r?.evidence.allowed).toContainEqual(expect.objectContaining({ why: 'approved window: CHG-7 migration' }));
  });
  it('is unknown when LookupEvents throttled', () => {
    expect(
      c.evaluate(breaks.deny(compliantEvidence(), 'cloudtrail.rootEvents', 'throttled'), fixtureContext())[0]?.status,
    ).toBe('unknown');
  });
});
