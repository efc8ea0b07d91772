import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import { API, type Call, type CallFailed, type CloudTrailEvidence, type RootEvent, type Trail } from '@payerguard/core';
import { regionsToRead } from '@payerguard/core/data/aws-regions';
import { capture, errorCodeOf, MalformedAnswer } from '../aws/call.js';
import { payerClient } from '../aws/clients.js';
import { allLimited } from '../limit.js';
import { type CollectorContext, MAX_PAGES, MAX_ROOT_EVENTS, pagedBudget } from './context.js';
import { parseRootEvent } from './root-events.js';

const DAY_MS = 86_400_000;
const iso = (d: Date | undefined) => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined);

/** Root activity over the look-back window, and every trail with its logging status. */
export async function collectCloudTrail(ctx: CollectorContext): Promise<CloudTrailEvidence> {
  const client = payerClient(CloudTrailClient, ctx);
  const lookbackDays = ctx.settings.rootLookbackDays;
  const rootEvents = collectRootEventsByRegion(ctx);

  const trails = capture<Trail[]>(API.describeTrails, pagedBudget(ctx), async (abortSignal, ids) => {
    const out = await client.send(new DescribeTrailsCommand({ includeShadowTrails: true }), { abortSignal });
    ids.add(out);
    if (out.trailList !== undefined && !Array.isArray(out.trailList))
      throw new MalformedAnswer('DescribeTrails: trailList is not a list');
    const list = (out.trailList ?? []).slice(0, 200);
    return Promise.all(
      list.map(async (t): Promise<Trail> => {
        const trail: Trail = {
          name: t.Name ?? '',
          arn: t.TrailARN ?? '',
          homeRegion: t.HomeRegion ?? '',
          isMultiRegionTrail: t.IsMultiRegionTrail ?? false,
          isOrganizationTrail: t.IsOrganizationTrail ?? false,
          ...(t.S3BucketName ? { s3BucketName: t.S3BucketName } : {}),
        };
        // One trail's status failing is recorded on that trail; the list itself is still good evidence.
        try {
          const s = await client.send(new GetTrailStatusCommand({ Name: t.TrailARN ?? t.Name }), { abortSignal });
          ids.add(s);
          trail.isLogging = s.IsLogging ?? false;
          const latest = iso(s.LatestDeliveryTime);
          if (latest) trail.latestDeliveryTime = latest;
        } catch (err) {
          if (abortSignal.aborted) throw err;
          trail.statusError = errorCodeOf(err);
        }
        return trail;
      }),
    );
  });

  const [r, t] = await Promise.all([rootEvents, trails]);
  return { lookbackDays, rootEvents: r.merged, rootEventsByRegion: r.byRegion, trails: t };
}

/** Regions read at once per payer: each has its own LookupEvents quota, the payer's job shares its sockets. */
const REGION_PARALLELISM = 3;

/**
 * Root events from every region in ctx.regions (us-east-1 only when unset). Every page waits its turn at LookupEvents'
 * quota (2 a second per account and region) in the process rate limiter (aws/rate-limit.ts), retries included.
 * The merged list is only "ok" when every region was read: a region not seen fails it, naming the region.
 */
export async function collectRootEventsByRegion(
  ctx: CollectorContext,
): Promise<{ merged: Call<RootEvent[]>; byRegion: Record<string, Call<{ rootEvents: number }>> }> {
  const regions = ctx.regions ?? regionsToRead([]);
  const calls = await allLimited(
    regions.map((region) => () => lookupRootEvents(ctx, region)),
    REGION_PARALLELISM,
  );
  const byRegion: Record<string, Call<{ rootEvents: number }>> = {};
  const failedRegions: { region: string; call: CallFailed }[] = [];
  const events: RootEvent[] = [];
  const requestIds: string[] = [];
  regions.forEach((region, i) => {
    const c = calls[i]!;
    requestIds.push(...(c.requestIds ?? []));
    if (c.status === 'ok') {
      byRegion[region] = { ...c, data: { rootEvents: c.data.length } };
      events.push(...c.data);
    } else {
      byRegion[region] = c;
      failedRegions.push({ region, call: c });
    }
  });
  const first = failedRegions[0];
  if (first) {
    const names = failedRegions.map((f) => `${f.region} (${f.call.errorCode})`).join(', ');
    return {
      merged: {
        ...first.call,
        message:
          `root events not seen in ${failedRegions.length} of ${regions.length} regions: ${names}. ${first.call.message}`.slice(
            0,
            500,
          ),
      },
      byRegion,
    };
  }
  // Newest first across regions; beyond the cap what is dropped is the oldest.
  events.sort((a, b) => b.eventTime.localeCompare(a.eventTime));
  return {
    merged: {
      status: 'ok',
      api: API.lookupEvents,
      data: events.slice(0, MAX_ROOT_EVENTS),
      ...(requestIds.length ? { requestIds: requestIds.slice(0, 50) } : {}),
    },
    byRegion,
  };
}

/** One region's root events over the look-back window. */
function lookupRootEvents(ctx: CollectorContext, region: string): Promise<Call<RootEvent[]>> {
  const client = payerClient(CloudTrailClient, ctx, region);
  const StartTime = new Date(ctx.now.getTime() - ctx.settings.rootLookbackDays * DAY_MS);
  return capture<RootEvent[]>(API.lookupEvents, pagedBudget(ctx), async (abortSignal, ids) => {
    const events: RootEvent[] = [];
    let NextToken: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES) throw new MalformedAnswer(`LookupEvents still paginating after ${MAX_PAGES} pages`);
      const out = await client.send(
        new LookupEventsCommand({
          // LookupEvents takes one attribute; root's user name is "root". Each event is still checked by its identity type.
          LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'root' }],
          StartTime,
          EndTime: ctx.now,
          MaxResults: 50,
          NextToken,
        }),
        { abortSignal },
      );
      ids.add(out);
      for (const ev of out.Events ?? []) {
        const root = parseRootEvent(ev.CloudTrailEvent, { eventId: ev.EventId, eventTime: ev.EventTime });
        if (root) events.push(root);
        // Newest first: what is dropped beyond the cap is the oldest.
        if (events.length >= MAX_ROOT_EVENTS) return events;
      }
      NextToken = out.NextToken;
      if (!NextToken) return events;
    }
  });
}
