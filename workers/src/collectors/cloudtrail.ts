import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import { API, type CloudTrailEvidence, type RootEvent, type Trail } from '@payerguard/core';
import { capture, errorCodeOf, MalformedAnswer } from '../aws/call.js';
import { clientConfig, limitResponseSize } from '../aws/client-options.js';
import { rateLimit } from '../aws/rate-limit.js';
import { type CollectorContext, MAX_PAGES, MAX_ROOT_EVENTS, pagedBudget } from './context.js';
import { parseRootEvent } from './root-events.js';

const DAY_MS = 86_400_000;
const iso = (d: Date | undefined) => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined);

/** Root activity over the look-back window, and every trail with its logging status. */
export async function collectCloudTrail(ctx: CollectorContext): Promise<CloudTrailEvidence> {
  const client = new CloudTrailClient(clientConfig(ctx.session, ctx.credentials));
  limitResponseSize(client);
  rateLimit(client, ctx.accountId);
  const lookbackDays = ctx.settings.rootLookbackDays;

  const rootEvents = capture<RootEvent[]>(API.lookupEvents, pagedBudget(ctx), async (abortSignal, ids) => {
    const events: RootEvent[] = [];
    let NextToken: string | undefined;
    const StartTime = new Date(ctx.now.getTime() - lookbackDays * DAY_MS);
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
  return { lookbackDays, rootEvents: r, trails: t };
}
