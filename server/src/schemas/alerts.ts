import { Type } from 'typebox';
import { DateTime, Nullable, ref } from './common.js';

export const AlertChannel = Type.Object(
  {
    id: Type.String(),
    kind: Type.String(),
    url: Type.String({ description: 'Full URL for admins; scheme and host only for analysts' }),
    events: Type.Array(Type.String({ description: 'root-activity | lockout | new-critical-finding' })),
    createdBy: Type.String(),
    createdAt: DateTime(),
  },
  { $id: 'AlertChannel' },
);

export const AlertChannelList = Type.Object({ channels: Type.Array(ref(AlertChannel)) }, { $id: 'AlertChannelList' });

export const AlertChannelCreated = Type.Object(
  {
    ...AlertChannel.properties,
    secret: Type.String({
      description: 'Verify X-PayerGuard-Signature: sha256=HMAC-SHA256(secret, raw body). Shown only here.',
    }),
    signatureHeader: Type.String(),
  },
  { $id: 'AlertChannelCreated' },
);

export const AlertDelivery = Type.Object(
  {
    id: Type.String(),
    channelId: Type.String(),
    event: Type.String(),
    partnerId: Nullable(Type.String()),
    status: Type.Union([
      Type.Literal('pending'),
      Type.Literal('retrying'),
      Type.Literal('delivered'),
      Type.Literal('failed'),
    ]),
    attempts: Type.Integer(),
    lastError: Nullable(Type.String()),
    text: Type.String({ description: 'The line a person reads' }),
    createdAt: DateTime(),
    deliveredAt: Nullable(DateTime()),
  },
  { $id: 'AlertDelivery' },
);

export const AlertDeliveryList = Type.Object(
  { deliveries: Type.Array(ref(AlertDelivery)) },
  { $id: 'AlertDeliveryList' },
);

/** A root event the root-activity monitor forwarded live (core/src/root-events/live.ts). */
export const LiveRootEvent = Type.Object(
  {
    eventId: Type.String(),
    accountId: Type.String(),
    partnerId: Nullable(Type.String()),
    eventTime: DateTime(),
    eventName: Type.String(),
    eventSource: Type.String(),
    mfaUsed: Nullable(Type.Boolean()),
    receivedAt: DateTime(),
    rescoreRunId: Nullable(Type.String()),
    rescoreError: Nullable(Type.String()),
    alertedAt: Nullable(DateTime()),
  },
  { $id: 'LiveRootEvent' },
);

export const LiveRootEventList = Type.Object({ events: Type.Array(ref(LiveRootEvent)) }, { $id: 'LiveRootEventList' });

export const alertSchemas = [
  AlertChannel,
  AlertChannelList,
  AlertChannelCreated,
  AlertDelivery,
  AlertDeliveryList,
  LiveRootEvent,
  LiveRootEventList,
];
