import type { RootEvent } from '@payerguard/core';
import { MalformedAnswer } from '../aws/call.js';

interface RawCloudTrailEvent {
  eventID?: string;
  eventTime?: string;
  eventName?: string;
  eventSource?: string;
  eventType?: string;
  awsRegion?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  errorCode?: string;
  recipientAccountId?: string;
  additionalEventData?: { MFAUsed?: string };
  responseElements?: { ConsoleLogin?: string } | null;
  userIdentity?: {
    type?: string;
    accountId?: string;
    sessionContext?: { attributes?: { mfaAuthenticated?: string } };
  };
}

/**
 * Flattens one LookupEvents `CloudTrailEvent` JSON string into a RootEvent, or null when the event is not root's
 * (userIdentity.type != "Root"). Unparseable JSON is a malformed answer.
 */
export function parseRootEvent(
  json: string | undefined,
  fallback: { eventId?: string; eventTime?: Date },
): RootEvent | null {
  if (typeof json !== 'string') throw new MalformedAnswer('LookupEvents returned an event without CloudTrailEvent');
  let e: RawCloudTrailEvent;
  try {
    e = JSON.parse(json) as RawCloudTrailEvent;
  } catch {
    throw new MalformedAnswer(`LookupEvents: CloudTrailEvent of ${fallback.eventId ?? 'an event'} is not valid JSON`);
  }
  if (typeof e !== 'object' || e === null)
    throw new MalformedAnswer('LookupEvents: CloudTrailEvent is not a JSON object');
  if (e.userIdentity?.type !== 'Root') return null;
  const eventType = e.eventType ?? '';
  let mfaUsed: boolean | undefined;
  if (e.additionalEventData?.MFAUsed !== undefined) mfaUsed = e.additionalEventData.MFAUsed === 'Yes';
  else if (e.userIdentity.sessionContext?.attributes?.mfaAuthenticated !== undefined)
    mfaUsed = e.userIdentity.sessionContext.attributes.mfaAuthenticated === 'true';
  const outcome = e.responseElements?.ConsoleLogin ?? e.errorCode;
  const eventTime = e.eventTime ?? fallback.eventTime?.toISOString() ?? '';
  return {
    eventId: e.eventID ?? fallback.eventId ?? '',
    eventTime: eventTime && !Number.isNaN(Date.parse(eventTime)) ? new Date(eventTime).toISOString() : eventTime,
    eventName: e.eventName ?? '',
    eventSource: e.eventSource ?? '',
    eventType,
    awsRegion: e.awsRegion ?? '',
    ...(e.sourceIPAddress ? { sourceIPAddress: e.sourceIPAddress } : {}),
    ...(e.userAgent ? { userAgent: e.userAgent } : {}),
    ...(mfaUsed !== undefined ? { mfaUsed } : {}),
    ...(outcome ? { outcome } : {}),
    ...(e.errorCode ? { errorCode: e.errorCode } : {}),
    accountId: e.userIdentity.accountId ?? e.recipientAccountId ?? '',
  };
}
