/** What an alert channel can subscribe to. */
export const ALERT_EVENTS = ['root-activity', 'lockout', 'new-critical-finding'] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];

export const ALERT_CHANNEL_KINDS = ['webhook'] as const;
export type AlertChannelKind = (typeof ALERT_CHANNEL_KINDS)[number];

/** Header naming the alert event of a delivery, beside the signature header (see exports/signature.ts). */
export const ALERT_EVENT_HEADER = 'X-PayerGuard-Event';
export const ALERT_DELIVERY_HEADER = 'X-PayerGuard-Delivery';
