import type { RootEvent } from '../evidence/types.js';
import type { AlertEvent } from './events.js';

/**
 * Alert bodies: Slack-compatible JSON. `text` is the line a person reads (Slack and most chat webhooks show it);
 * `attachments[].fields` lay the facts out in Slack; `payerguard` holds the same facts for machines.
 */
export interface AlertPayload {
  text: string;
  attachments: { color: string; fields: { title: string; value: string; short: boolean }[] }[];
  payerguard: { event: AlertEvent; raisedAt: string; partnerId: string | null } & Record<string, unknown>;
}

const COLOR = { danger: '#d40e0d', warning: '#e8a317' };
const field = (title: string, value: string | number | null | undefined, short = true) => ({
  title,
  value: value === null || value === undefined || value === '' ? '—' : String(value),
  short,
});
const who = (partnerId: string | null, partnerName: string | null) =>
  partnerId ? `${partnerName ?? partnerId} (${partnerId})` : 'an account not in the registry';

export function rootActivityPayload(
  e: RootEvent,
  ctx: { partnerId: string | null; partnerName: string | null; region: string; raisedAt: Date },
): AlertPayload {
  const signIn = e.eventName === 'ConsoleLogin';
  const failed = !!e.errorCode || (e.outcome !== undefined && e.outcome !== 'Success');
  const mfa = e.mfaUsed === true ? 'with MFA' : e.mfaUsed === false ? 'WITHOUT MFA' : 'MFA not reported';
  const what = signIn
    ? `${failed ? 'Failed root console sign-in' : 'Root console sign-in'} ${mfa}`
    : `Root called ${e.eventName} (${e.eventSource}) ${mfa}`;
  return {
    text: `:rotating_light: ${what} on payer ${e.accountId} of ${who(ctx.partnerId, ctx.partnerName)} at ${e.eventTime} from ${e.sourceIPAddress ?? 'an unknown address'} (${ctx.region}).`,
    attachments: [
      {
        color: e.mfaUsed === true && !failed ? COLOR.warning : COLOR.danger,
        fields: [
          field('Partner', ctx.partnerName ?? ctx.partnerId),
          field('Payer account', e.accountId),
          field('Event', `${e.eventName} (${e.eventSource})`),
          field('Time', e.eventTime),
          field('MFA', e.mfaUsed === undefined ? 'not reported' : e.mfaUsed ? 'yes' : 'no'),
          field('Source IP', e.sourceIPAddress),
          field('Region', ctx.region),
          field('Event id', e.eventId, false),
        ],
      },
    ],
    payerguard: {
      event: 'root-activity',
      raisedAt: ctx.raisedAt.toISOString(),
      partnerId: ctx.partnerId,
      partnerName: ctx.partnerName,
      payerAccountId: e.accountId,
      eventId: e.eventId,
      eventName: e.eventName,
      eventSource: e.eventSource,
      eventTime: e.eventTime,
      mfaUsed: e.mfaUsed ?? null,
      outcome: e.outcome ?? e.errorCode ?? null,
      sourceIPAddress: e.sourceIPAddress ?? null,
      region: ctx.region,
    },
  };
}

export function lockoutPayload(ctx: {
  partnerId: string;
  partnerName: string | null;
  runId: string;
  payers: { payerAccountId: string; message: string }[];
  raisedAt: Date;
}): AlertPayload {
  const ids = ctx.payers.map((p) => p.payerAccountId);
  return {
    text: `:no_entry: Locked out of ${ids.length === 1 ? `payer ${ids[0]}` : `${ids.length} payers`} of ${who(ctx.partnerId, ctx.partnerName)}: the collector role cannot be assumed (run ${ctx.runId}).`,
    attachments: [
      {
        color: COLOR.danger,
        fields: [
          field('Partner', ctx.partnerName ?? ctx.partnerId),
          field('Run', ctx.runId),
          ...ctx.payers.slice(0, 20).map((p) => field(`Payer ${p.payerAccountId}`, p.message, false)),
        ],
      },
    ],
    payerguard: {
      event: 'lockout',
      raisedAt: ctx.raisedAt.toISOString(),
      partnerId: ctx.partnerId,
      partnerName: ctx.partnerName,
      runId: ctx.runId,
      payers: ctx.payers,
    },
  };
}

export function newCriticalPayload(ctx: {
  partnerId: string;
  partnerName: string | null;
  runId: string;
  score: number;
  grade: string;
  findings: { controlId: string; payerAccountId: string; resource: string; message: string }[];
  raisedAt: Date;
}): AlertPayload {
  const n = ctx.findings.length;
  const first = ctx.findings[0];
  return {
    text: `:warning: ${n} new critical finding${n === 1 ? '' : 's'} for ${who(ctx.partnerId, ctx.partnerName)}${first ? `: ${first.controlId} on payer ${first.payerAccountId}: ${first.message}` : ''} (score ${ctx.score}, grade ${ctx.grade}).`,
    attachments: [
      {
        color: COLOR.danger,
        fields: [
          field('Partner', ctx.partnerName ?? ctx.partnerId),
          field('Score', `${ctx.score} (${ctx.grade})`),
          field('Run', ctx.runId),
          ...ctx.findings.slice(0, 20).map((f) => field(`${f.controlId} · ${f.payerAccountId}`, f.message, false)),
        ],
      },
    ],
    payerguard: {
      event: 'new-critical-finding',
      raisedAt: ctx.raisedAt.toISOString(),
      partnerId: ctx.partnerId,
      partnerName: ctx.partnerName,
      runId: ctx.runId,
      score: ctx.score,
      grade: ctx.grade,
      findings: ctx.findings,
    },
  };
}
