import { randomUUID } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import { deliveryAllowPrivateNetworks } from '../config.js';
import type { Db } from '../db/index.js';
import { alertChannels, alertDeliveries } from '../db/schema.js';
import { checkDeliveryUrl } from '../delivery/address-guard.js';
import { newWebhookSecret } from '../exports/signature.js';
import type { AlertEvent } from './events.js';

export type AlertChannelRow = typeof alertChannels.$inferSelect;
export type AlertDeliveryRow = typeof alertDeliveries.$inferSelect;
export type AlertDeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed';

export class AlertChannelError extends Error {}

/**
 * A webhook URL must be http(s) without credentials in it, and its address one a delivery may reach (no loopback or
 * private networks unless DELIVERY_ALLOW_PRIVATE_NETWORKS): checked here when saved, and again after DNS when sent.
 */
export function validWebhookUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new AlertChannelError(`url is not a valid URL: ${JSON.stringify(raw.slice(0, 200))}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new AlertChannelError('url must be http:// or https://');
  if (u.username || u.password) throw new AlertChannelError('url must not carry a user name or password');
  const problem = checkDeliveryUrl(u.toString(), { allowPrivateNetworks: deliveryAllowPrivateNetworks() });
  if (problem) throw new AlertChannelError(`url: ${problem}`);
  return u.toString();
}

/**
 * Webhook URLs often carry their secret in the path (Slack's do): readers who are not admins see only where they go.
 */
export function maskUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '…';
  }
}

export async function createAlertChannel(
  db: Db,
  input: { kind: 'webhook'; url: string; events: AlertEvent[]; createdBy: string },
): Promise<{ channel: AlertChannelRow; secret: string }> {
  const secret = newWebhookSecret();
  const [channel] = await db
    .insert(alertChannels)
    .values({
      id: `ach_${randomUUID()}`,
      kind: input.kind,
      url: validWebhookUrl(input.url),
      events: [...new Set(input.events)],
      secret,
      createdBy: input.createdBy,
    })
    .returning();
  return { channel: channel!, secret };
}

export const listAlertChannels = (db: Db) => db.select().from(alertChannels).orderBy(alertChannels.createdAt);

export async function getAlertChannel(db: Db, id: string): Promise<AlertChannelRow | undefined> {
  const [c] = await db.select().from(alertChannels).where(eq(alertChannels.id, id));
  return c;
}

export async function deleteAlertChannel(db: Db, id: string): Promise<AlertChannelRow | undefined> {
  const [c] = await db.delete(alertChannels).where(eq(alertChannels.id, id)).returning();
  return c;
}

/** Channels subscribed to an event. */
export const channelsFor = (db: Db, event: AlertEvent) =>
  db
    .select()
    .from(alertChannels)
    .where(sql`${alertChannels.events} @> ${JSON.stringify([event])}::jsonb`);

export async function listDeliveries(db: Db, channelId: string, limit = 100): Promise<AlertDeliveryRow[]> {
  return db
    .select()
    .from(alertDeliveries)
    .where(eq(alertDeliveries.channelId, channelId))
    .orderBy(desc(alertDeliveries.createdAt))
    .limit(Math.min(Math.max(limit, 1), 1000));
}

export async function getDelivery(db: Db, id: string) {
  const [row] = await db
    .select({ d: alertDeliveries, c: alertChannels })
    .from(alertDeliveries)
    .innerJoin(alertChannels, eq(alertChannels.id, alertDeliveries.channelId))
    .where(eq(alertDeliveries.id, id));
  return row;
}

/** Inserts a delivery unless this channel already has one with the key; returns the new row or undefined. */
export async function insertDelivery(
  db: Db,
  d: { channelId: string; event: AlertEvent; dedupeKey: string; partnerId: string | null; payload: unknown },
): Promise<AlertDeliveryRow | undefined> {
  const [row] = await db
    .insert(alertDeliveries)
    .values({
      id: `adl_${randomUUID()}`,
      channelId: d.channelId,
      event: d.event,
      dedupeKey: d.dedupeKey,
      partnerId: d.partnerId,
      payload: d.payload as Record<string, unknown>,
      status: 'pending',
    })
    .onConflictDoNothing({ target: [alertDeliveries.channelId, alertDeliveries.dedupeKey] })
    .returning();
  return row;
}

export async function recordAlertDelivery(
  db: Db,
  id: string,
  s: { status: AlertDeliveryStatus; attempts: number; lastError?: string | null; deliveredAt?: Date | null },
): Promise<void> {
  await db
    .update(alertDeliveries)
    .set({
      status: s.status,
      attempts: s.attempts,
      lastError: s.lastError?.slice(0, 1000) ?? null,
      deliveredAt: s.deliveredAt ?? null,
    })
    // A late failure report must never overwrite a delivery that already succeeded.
    .where(and(eq(alertDeliveries.id, id), sql`${alertDeliveries.status} <> 'delivered'`));
}
