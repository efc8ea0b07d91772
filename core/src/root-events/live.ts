import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { payers, rootEventRejects, rootEvents } from '../db/schema.js';
import type { PayerEvidence, RootEvent } from '../evidence/types.js';

/**
 * Live root events: what the root-activity monitor forwarded to the hub queue, stored once per CloudTrail eventID.
 * They count wherever the controls read root events: `withLiveRootEvents` joins them into a payer's
 * `cloudtrail.rootEvents` evidence, so ROOT-SIGNIN-MFA and ROOT-ACTIVITY-ROOT-ONLY-TASKS judge them like any other.
 */

/** Largest message body kept with a reject: enough to see what arrived, bounded for a hostile sender. */
const REJECT_BODY_MAX = 65_536;

export interface IncomingRootEvent {
  event: RootEvent;
  /** The EventBridge event as delivered. */
  envelope: unknown;
  messageId?: string;
}

/** The partner owning each account, for accounts in the registry. */
export async function partnersOf(db: Db, accountIds: string[]): Promise<Map<string, string>> {
  if (!accountIds.length) return new Map();
  const rows = await db
    .select({ accountId: payers.accountId, partnerId: payers.partnerId })
    .from(payers)
    .where(inArray(payers.accountId, accountIds));
  return new Map(rows.map((r) => [r.accountId, r.partnerId]));
}

/**
 * Stores one live event unless its eventID is already stored (SQS delivers at least once). Returns the stored row
 * either way, and whether this call inserted it.
 */
export async function storeRootEvent(
  db: Db,
  incoming: IncomingRootEvent,
): Promise<{ inserted: boolean; row: typeof rootEvents.$inferSelect }> {
  const e = incoming.event;
  const partnerId = (await partnersOf(db, [e.accountId])).get(e.accountId) ?? null;
  const inserted = await db
    .insert(rootEvents)
    .values({
      eventId: e.eventId,
      accountId: e.accountId,
      partnerId,
      eventTime: new Date(e.eventTime),
      eventName: e.eventName,
      eventSource: e.eventSource,
      eventType: e.eventType,
      mfaUsed: e.mfaUsed ?? null,
      data: e,
      envelope: incoming.envelope as Record<string, unknown>,
      messageId: incoming.messageId ?? null,
    })
    .onConflictDoNothing({ target: rootEvents.eventId })
    .returning();
  if (inserted[0]) return { inserted: true, row: inserted[0] };
  const [row] = await db.select().from(rootEvents).where(eq(rootEvents.eventId, e.eventId));
  if (!row) throw new Error(`root event ${e.eventId} was neither inserted nor found`);
  return { inserted: false, row };
}

/** Sets a message aside that could not be read as a root event: kept with the reason, never retried. */
export async function recordReject(
  db: Db,
  r: { messageId?: string | undefined; body: string; error: string },
): Promise<void> {
  await db.insert(rootEventRejects).values({
    messageId: r.messageId ?? null,
    error: r.error.slice(0, 2000),
    body: r.body.length > REJECT_BODY_MAX ? `${r.body.slice(0, REJECT_BODY_MAX)}…[cut]` : r.body,
  });
}

/** Live events per account, for the given accounts (the controls apply their own look-back). */
export async function liveRootEventsFor(db: Db, accountIds: string[]): Promise<Map<string, RootEvent[]>> {
  const out = new Map<string, RootEvent[]>();
  if (!accountIds.length) return out;
  const rows = await db
    .select({ accountId: rootEvents.accountId, data: rootEvents.data })
    .from(rootEvents)
    .where(inArray(rootEvents.accountId, accountIds))
    .orderBy(rootEvents.eventTime);
  for (const r of rows) out.set(r.accountId, [...(out.get(r.accountId) ?? []), r.data as RootEvent]);
  return out;
}

/**
 * The payer's evidence with its live root events joined into `cloudtrail.rootEvents` (an event CloudTrail's
 * LookupEvents also returned is kept once: same eventID). Live events only add to root events that were collected:
 * when LookupEvents failed the call stays as it was, so the controls still say "unknown" rather than judge a partial
 * picture as a pass. Live events newer than `until` are left out (a re-score of evidence as of a time).
 */
export function withLiveRootEvents(ev: PayerEvidence, live: RootEvent[], until?: Date): PayerEvidence {
  const call = ev.cloudtrail?.rootEvents;
  if (!ev.cloudtrail || call?.status !== 'ok' || live.length === 0) return ev;
  const seen = new Set(call.data.map((e) => e.eventId));
  const added = live.filter(
    (e) =>
      !seen.has(e.eventId) &&
      (!until || Number.isNaN(Date.parse(e.eventTime)) || Date.parse(e.eventTime) <= until.getTime()),
  );
  if (!added.length) return ev;
  const data = [...call.data, ...added.map((e) => ({ ...e, live: true }))].sort((a, b) =>
    b.eventTime.localeCompare(a.eventTime),
  );
  return { ...ev, cloudtrail: { ...ev.cloudtrail, rootEvents: { ...call, data } } };
}

export async function markRescored(db: Db, eventIds: string[], outcome: { runId?: string; error?: string }) {
  if (!eventIds.length) return;
  await db
    .update(rootEvents)
    .set({ rescoreRunId: outcome.runId ?? null, rescoreError: outcome.error?.slice(0, 1000) ?? null })
    .where(inArray(rootEvents.eventId, eventIds));
}

export async function markAlerted(db: Db, eventId: string, at = new Date()) {
  await db.update(rootEvents).set({ alertedAt: at }).where(eq(rootEvents.eventId, eventId));
}

/** Latest live events (newest first), optionally of one partner: the API's list. */
export async function listRootEvents(db: Db, opts: { partnerId?: string | null; limit?: number } = {}) {
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
  const where = opts.partnerId ? sql`where partner_id = ${opts.partnerId}` : sql``;
  const res = (await db.execute(
    sql`select event_id, account_id, partner_id, event_time, event_name, event_source, mfa_used, received_at, rescore_run_id, rescore_error, alerted_at
        from root_events ${where} order by received_at desc limit ${limit}`,
  )) as unknown as { rows: Record<string, unknown>[] };
  return res.rows;
}
