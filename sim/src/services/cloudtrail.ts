import type { SimEvent } from '../estate/types.js';
import { ApiError } from '../protocols/errors.js';
import { decodeToken, encodeToken, type JsonParams } from '../protocols/json.js';
import type { CallContext } from './context.js';

const ATTRIBUTE_KEYS: Record<string, (e: SimEvent, v: string) => boolean> = {
  EventId: (e, v) => e.eventId === v,
  EventName: (e, v) => e.eventName === v,
  ReadOnly: (e, v) => String(e.readOnly) === v,
  Username: (e, v) => e.username === v,
  ResourceType: (e, v) => e.resources.some((r) => r.ResourceType === v),
  ResourceName: (e, v) => e.resources.some((r) => r.ResourceName === v),
  EventSource: (e, v) => e.eventSource === v,
  AccessKeyId: (e, v) => e.accessKeyId === v,
};

export function lookupEvents(ctx: CallContext, p: JsonParams) {
  const attrs = p.array('LookupAttributes');
  // CloudTrail accepts one lookup attribute per request.
  if (attrs.length > 1)
    throw new ApiError('InvalidLookupAttributesException', 'You can only specify one lookup attribute per request.');
  let match: (e: SimEvent) => boolean = () => true;
  let scope = '';
  const attr = attrs[0] as { AttributeKey?: unknown; AttributeValue?: unknown } | undefined;
  if (attr) {
    const key = String(attr.AttributeKey ?? '');
    const value = attr.AttributeValue;
    const test = ATTRIBUTE_KEYS[key];
    if (!test || typeof value !== 'string' || value === '')
      throw new ApiError('InvalidLookupAttributesException', `Invalid lookup attribute: ${key || '(none)'}`);
    match = (e) => test(e, value);
    scope = `${key}=${value}`;
  }
  const endIn = p.date('EndTime');
  const startIn = p.date('StartTime');
  const end = endIn ?? ctx.now;
  const start = startIn ?? new Date(end.getTime() - 90 * 86_400_000);
  if (start > end) throw new ApiError('InvalidTimeRangeException', 'Start time must be before end time.');
  const max = p.int('MaxResults', 50, 1, 50, 'InvalidMaxResultsException');
  const eventCategory = p.str('EventCategory');
  if (eventCategory !== undefined && eventCategory !== 'insight')
    throw new ApiError('InvalidEventCategoryException', `Invalid event category: ${eventCategory}`);
  const tokenScope = `${ctx.region}|${scope}|${startIn?.getTime() ?? ''}|${endIn?.getTime() ?? ''}`;
  const offset = decodeToken(p.str('NextToken'), tokenScope, 'InvalidNextTokenException');
  const found =
    eventCategory === 'insight'
      ? []
      : // LookupEvents is regional: only events recorded in the region the request was signed for.
        ctx.account.events.filter(
          (e) => e.region === ctx.region && e.eventTime >= start && e.eventTime <= end && match(e),
        );
  const more = offset + max < found.length;
  return {
    Events: found.slice(offset, offset + max).map((e) => ({
      EventId: e.eventId,
      EventName: e.eventName,
      ReadOnly: String(e.readOnly),
      ...(e.accessKeyId ? { AccessKeyId: e.accessKeyId } : {}),
      EventTime: e.eventTime,
      EventSource: e.eventSource,
      Username: e.username,
      Resources: e.resources,
      CloudTrailEvent: JSON.stringify(e.record),
    })),
    ...(more ? { NextToken: encodeToken(offset + max, tokenScope) } : {}),
  };
}

export function describeTrails(ctx: CallContext, p: JsonParams) {
  const names = p.array('trailNameList').map(String);
  const trails = ctx.account.trails.filter(
    (t) => names.length === 0 || names.includes(t.name) || names.includes(t.arn),
  );
  return {
    trailList: trails.map((t) => ({
      Name: t.name,
      S3BucketName: t.s3BucketName,
      IncludeGlobalServiceEvents: true,
      IsMultiRegionTrail: t.isMultiRegionTrail,
      HomeRegion: t.homeRegion,
      TrailARN: t.arn,
      LogFileValidationEnabled: true,
      HasCustomEventSelectors: false,
      HasInsightSelectors: false,
      IsOrganizationTrail: t.isOrganizationTrail,
    })),
  };
}

export function getTrailStatus(ctx: CallContext, p: JsonParams) {
  const name = p.required('Name');
  const t = ctx.account.trails.find((x) => x.name === name || x.arn === name);
  if (!t) throw new ApiError('TrailNotFoundException', `Unknown trail: ${name} for the user: ${ctx.account.accountId}`);
  return {
    IsLogging: t.isLogging,
    LatestDeliveryTime: t.latestDeliveryTime,
    LatestDeliveryAttemptTime: t.latestDeliveryTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    LatestDeliveryAttemptSucceeded: t.latestDeliveryTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    LatestDigestDeliveryTime: t.latestDeliveryTime,
    StartLoggingTime: t.startLoggingTime,
    ...(t.stopLoggingTime ? { StopLoggingTime: t.stopLoggingTime } : {}),
    TimeLoggingStarted: t.startLoggingTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(t.stopLoggingTime ? { TimeLoggingStopped: t.stopLoggingTime.toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
  };
}
