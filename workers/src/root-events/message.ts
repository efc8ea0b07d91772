import type { IncomingRootEvent } from '@payerguard/core/root-events/live';
import { safeMessage } from '../aws/call.js';
import { parseRootEvent } from '../collectors/root-events.js';

/** A queue message that is not a root event we can read; the consumer sets it aside with this reason. */
export class UnreadableRootEvent extends Error {
  override name = 'UnreadableRootEvent';
}

const DETAIL_TYPES = new Set(['AWS Console Sign In via CloudTrail', 'AWS API Call via CloudTrail']);

/**
 * Reads one hub-queue message body: an EventBridge event (as the hub rule's SQS target delivers it) whose `detail` is
 * the CloudTrail record. The record is flattened by the same parser LookupEvents results go through, so a live
 * event and a collected one are the same RootEvent.
 */
export function parseRootEventMessage(
  body: string | undefined,
  messageId?: string,
): IncomingRootEvent & { region: string } {
  if (typeof body !== 'string' || body.trim() === '') throw new UnreadableRootEvent('the message has no body');
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch {
    throw new UnreadableRootEvent('the message body is not JSON');
  }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope))
    throw new UnreadableRootEvent('the message body is not a JSON object (expected an EventBridge event)');
  const env = envelope as Record<string, unknown>;
  const detailType = env['detail-type'];
  if (typeof detailType !== 'string' || !DETAIL_TYPES.has(detailType))
    throw new UnreadableRootEvent(
      `detail-type ${JSON.stringify(detailType ?? null)} is not a CloudTrail sign-in or API call event`,
    );
  const detail = env.detail;
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
    throw new UnreadableRootEvent('the event has no CloudTrail record in detail');
  let event: ReturnType<typeof parseRootEvent>;
  try {
    event = parseRootEvent(JSON.stringify(detail), {
      ...(typeof env.time === 'string' && !Number.isNaN(Date.parse(env.time)) ? { eventTime: new Date(env.time) } : {}),
    });
  } catch (e) {
    throw new UnreadableRootEvent(`the CloudTrail record cannot be read: ${safeMessage(e)}`);
  }
  if (!event)
    throw new UnreadableRootEvent('the CloudTrail record is not a root event (userIdentity.type is not Root)');
  if (!event.eventId) throw new UnreadableRootEvent('the CloudTrail record has no eventID');
  if (Number.isNaN(Date.parse(event.eventTime)))
    throw new UnreadableRootEvent('the CloudTrail record has no valid eventTime');
  if (!/^\d{12}$/.test(event.accountId)) {
    const account = typeof env.account === 'string' ? env.account : '';
    if (!/^\d{12}$/.test(account)) throw new UnreadableRootEvent('the event names no 12-digit account');
    event = { ...event, accountId: account };
  }
  const region = typeof env.region === 'string' && env.region ? env.region : event.awsRegion;
  return { event, envelope, region, ...(messageId ? { messageId } : {}) };
}
