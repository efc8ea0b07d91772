import type { RootEvent } from '../../evidence/types.js';

/**
 * Root events inside the configured look-back, oldest first (the collector may have looked further back).
 * AwsServiceEvent records are AWS acting on the account, not someone using root, so they are left out.
 */
export function eventsInLookback(events: RootEvent[], now: Date, lookbackDays: number): RootEvent[] {
  const from = now.getTime() - lookbackDays * 86_400_000;
  return events
    .filter((e) => {
      if (e.eventType === 'AwsServiceEvent') return false;
      const t = Date.parse(e.eventTime);
      return Number.isNaN(t) || t >= from;
    })
    .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
}

/** The fields a person needs to judge one root event. */
export const describeEvent = (e: RootEvent) => ({
  eventId: e.eventId,
  eventName: e.eventName,
  eventSource: e.eventSource,
  eventTime: e.eventTime,
  sourceIPAddress: e.sourceIPAddress ?? null,
  mfaUsed: e.mfaUsed ?? null,
  outcome: e.outcome ?? e.errorCode ?? null,
  awsRegion: e.awsRegion,
});
