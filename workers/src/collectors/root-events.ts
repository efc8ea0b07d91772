import type { RootEvent, RootEventRequest } from '@payerguard/core';
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
  readOnly?: boolean;
  sessionCredentialFromConsole?: string | boolean;
  requestParameters?: Record<string, unknown> | null;
  additionalEventData?: { MFAUsed?: string };
  responseElements?: { ConsoleLogin?: string } | null;
  userIdentity?: {
    type?: string;
    accountId?: string;
    sessionContext?: { attributes?: { mfaAuthenticated?: string } };
  };
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v.slice(0, 512) : undefined);

/** Only the request parameters that decide a root-only task (core/src/data/root-tasks.ts); the rest is not kept. */
function requestOf(p: Record<string, unknown> | null | undefined): RootEventRequest | undefined {
  if (!p || typeof p !== 'object') return undefined;
  const versioning = p.VersioningConfiguration;
  const mfaDelete =
    versioning && typeof versioning === 'object' ? str((versioning as Record<string, unknown>).MfaDelete) : undefined;
  const out: RootEventRequest = {};
  for (const k of ['userName', 'roleName', 'groupName', 'policyArn', 'bucketName'] as const) {
    const v = str(p[k]);
    if (v) out[k] = v;
  }
  if (mfaDelete) out.mfaDelete = mfaDelete;
  return Object.keys(out).length ? out : undefined;
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
  const request = requestOf(e.requestParameters);
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
    ...(typeof e.readOnly === 'boolean' ? { readOnly: e.readOnly } : {}),
    ...(e.sessionCredentialFromConsole !== undefined
      ? { fromConsole: String(e.sessionCredentialFromConsole) === 'true' }
      : {}),
    ...(request ? { request } : {}),
  };
}
