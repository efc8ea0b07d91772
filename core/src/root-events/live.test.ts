import { describe, expect, it } from 'vitest';
import type { PayerEvidence, RootEvent } from '../evidence/types.js';
import { withLiveRootEvents } from './live.js';

const ev = (id: string, time: string): RootEvent => ({
  eventId: id,
  eventTime: time,
  eventName: 'ConsoleLogin',
  eventSource: 'signin.amazonaws.com',
  eventType: 'AwsConsoleSignIn',
  awsRegion: 'us-east-1',
  accountId: '123456789012',
});

const evidence = (rootEvents: PayerEvidence['cloudtrail'] extends infer C ? C : never): PayerEvidence => ({
  schemaVersion: 1,
  payerAccountId: '123456789012',
  partnerId: 'p',
  collectedAt: '2026-12-01T00:00:00.000Z',
  access: { status: 'ok', api: 'sts:AssumeRole', data: {} } as unknown as PayerEvidence['access'],
  ...(rootEvents ? { cloudtrail: rootEvents } : {}),
});

describe('withLiveRootEvents', () => {
  it('joins live events into collected root events, newest first, keeping an eventID CloudTrail also returned once', () => {
    const base = evidence({
      lookbackDays: 90,
      rootEvents: {
        status: 'ok',
        api: 'cloudtrail:LookupEvents',
        data: [ev('a', '2026-11-01T00:00:00.000Z')],
      } as never,
      trails: { status: 'ok', api: 'cloudtrail:DescribeTrails', data: [] } as never,
    });
    const out = withLiveRootEvents(base, [ev('a', '2026-11-01T00:00:00.000Z'), ev('b', '2026-12-02T00:00:00.000Z')]);
    const call = out.cloudtrail!.rootEvents;
    expect(call.status).toBe('ok');
    if (call.status !== 'ok') return;
    expect(call.data.map((e) => [e.eventId, e.live ?? false])).toEqual([
      ['b', true],
      ['a', false],
    ]);
    // The input is not changed: stored evidence stays as collected.
    expect((base.cloudtrail!.rootEvents as { data: RootEvent[] }).data).toHaveLength(1);
  });

  it('leaves out events after `until`', () => {
    const base = evidence({
      lookbackDays: 90,
      rootEvents: { status: 'ok', api: 'cloudtrail:LookupEvents', data: [] } as never,
      trails: { status: 'ok', api: 'cloudtrail:DescribeTrails', data: [] } as never,
    });
    const out = withLiveRootEvents(base, [ev('late', '2026-12-05T00:00:00.000Z')], new Date('2026-12-04T00:00:00Z'));
    expect(out).toBe(base);
  });

  it('keeps a failed LookupEvents failed (unknown stays unknown) and evidence without CloudTrail as it is', () => {
    const denied = evidence({
      lookbackDays: 90,
      rootEvents: {
        status: 'denied',
        api: 'cloudtrail:LookupEvents',
        errorCode: 'AccessDenied',
        message: 'no',
      } as never,
      trails: { status: 'ok', api: 'cloudtrail:DescribeTrails', data: [] } as never,
    });
    expect(withLiveRootEvents(denied, [ev('x', '2026-12-01T00:00:00.000Z')])).toBe(denied);
    const none = evidence(undefined as never);
    expect(withLiveRootEvents(none, [ev('x', '2026-12-01T00:00:00.000Z')])).toBe(none);
  });
});
