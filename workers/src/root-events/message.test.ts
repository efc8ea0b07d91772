import { rootActivityEvent } from '@payerguard/sim';
import { describe, expect, it } from 'vitest';
import { parseRootEventMessage, UnreadableRootEvent } from './message.js';

const ACCOUNT = '123456789012';

describe('parseRootEventMessage', () => {
  it('reads a console sign-in as EventBridge delivers it into the same RootEvent LookupEvents gives', () => {
    const { event } = rootActivityEvent({
      accountId: ACCOUNT,
      eventName: 'ConsoleLogin',
      region: 'us-east-1',
      mfa: false,
    });
    const got = parseRootEventMessage(JSON.stringify(event), 'm-1');
    expect(got.messageId).toBe('m-1');
    expect(got.region).toBe('us-east-1');
    expect(got.event).toMatchObject({
      eventId: event.detail.eventID,
      eventName: 'ConsoleLogin',
      eventSource: 'signin.amazonaws.com',
      eventType: 'AwsConsoleSignIn',
      mfaUsed: false,
      outcome: 'Success',
      accountId: ACCOUNT,
    });
    expect(got.envelope).toEqual(event);
  });

  it('reads MFA of a root API call from the session context', () => {
    const { event } = rootActivityEvent({
      accountId: ACCOUNT,
      eventName: 'RunInstances',
      region: 'eu-west-1',
      mfa: true,
    });
    expect(parseRootEventMessage(JSON.stringify(event)).event).toMatchObject({
      eventName: 'RunInstances',
      eventSource: 'ec2.amazonaws.com',
      awsRegion: 'eu-west-1',
      mfaUsed: true,
    });
  });

  it.each([
    ['', /no body/],
    ['not json', /not JSON/],
    ['[1,2]', /not a JSON object/],
    [JSON.stringify({ 'detail-type': 'EC2 Instance State-change Notification', detail: {} }), /not a CloudTrail/],
    [JSON.stringify({ 'detail-type': 'AWS API Call via CloudTrail' }), /no CloudTrail record/],
    [
      JSON.stringify({
        'detail-type': 'AWS API Call via CloudTrail',
        detail: { eventID: 'e', eventTime: '2026-01-01T00:00:00Z', userIdentity: { type: 'IAMUser' } },
      }),
      /not a root event/,
    ],
    [
      JSON.stringify({
        'detail-type': 'AWS API Call via CloudTrail',
        detail: { eventTime: '2026-01-01T00:00:00Z', userIdentity: { type: 'Root', accountId: ACCOUNT } },
      }),
      /no eventID/,
    ],
    [
      JSON.stringify({
        'detail-type': 'AWS API Call via CloudTrail',
        detail: { eventID: 'e', eventTime: 'yesterday', userIdentity: { type: 'Root', accountId: ACCOUNT } },
      }),
      /no valid eventTime/,
    ],
    [
      JSON.stringify({
        'detail-type': 'AWS API Call via CloudTrail',
        account: 'nope',
        detail: { eventID: 'e', eventTime: '2026-01-01T00:00:00Z', userIdentity: { type: 'Root' } },
      }),
      /12-digit account/,
    ],
  ])('sets aside %j with a reason', (body, reason) => {
    expect(() => parseRootEventMessage(body)).toThrow(UnreadableRootEvent);
    expect(() => parseRootEventMessage(body)).toThrow(reason);
  });
});
