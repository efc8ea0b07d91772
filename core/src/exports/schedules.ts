import { randomUUID } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import { asc, eq, sql } from 'drizzle-orm';
import { deliveryAllowPrivateNetworks } from '../config.js';
import type { Db } from '../db/index.js';
import { exportSchedules } from '../db/schema.js';
import { checkDeliveryUrl } from '../delivery/address-guard.js';
import { newWebhookSecret } from './signature.js';
import { type ExportFormat, ExportInputError, type ExportScope, parseFormat, parseScope } from './types.js';

/**
 * Export schedules (table export_schedules): a cron expression in a time zone, a format and scope, a retention, and
 * where to deliver. The table is the truth; BullMQ job schedulers are re-derived from it (scheduler.ts).
 */

export interface ScheduleDelivery {
  s3?: { bucket: string; prefix: string };
  webhook?: { url: string };
}

/** A schedule as shown to people: the webhook secret never leaves the server after creation. */
export interface Schedule {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  format: ExportFormat;
  scope: ExportScope;
  retentionDays: number;
  delivery: ScheduleDelivery;
  hasWebhookSecret: boolean;
  enabled: boolean;
  createdBy: string;
  createdAt: string;
  lastRunAt: string | null;
  nextRunAt: string | null;
}

export interface ScheduleInput {
  name: string;
  cron: string;
  timezone?: string;
  format: string;
  scope?: unknown;
  retentionDays?: number;
  delivery?: unknown;
  enabled?: boolean;
}

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Five-field cron (minute precision: a seconds field would let one schedule flood the queue). */
export function parseCron(cron: string, timezone: string): void {
  if (typeof cron !== 'string' || cron.trim().split(/\s+/).length !== 5)
    throw new ExportInputError('cron: five fields "minute hour day-of-month month day-of-week", e.g. "0 6 * * 1"');
  if (!validTimezone(timezone)) throw new ExportInputError(`timezone: unknown IANA time zone "${timezone}"`);
  try {
    CronExpressionParser.parse(cron, { tz: timezone, strict: false });
  } catch (e) {
    throw new ExportInputError(`cron: ${(e as Error).message}`);
  }
}

/** The fire times around `now` in the schedule's zone. */
export function fireTimes(cron: string, timezone: string, now = new Date()): { previous: Date; next: Date } {
  const it = CronExpressionParser.parse(cron, { tz: timezone, currentDate: now });
  const next = it.next().toDate();
  const it2 = CronExpressionParser.parse(cron, { tz: timezone, currentDate: new Date(now.getTime() + 1) });
  return { previous: it2.prev().toDate(), next };
}

/**
 * A webhook URL with anything that may be a secret hidden: the query values, user info and every path segment after
 * the first (Slack-style hooks carry their token in the path). For people who may read but not manage deliveries,
 * and for the audit log.
 */
export function maskWebhookUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return '***';
  }
  const segments = u.pathname.split('/').filter(Boolean);
  const path = segments.length ? `/${segments.map((s, i) => (i === 0 ? s : '***')).join('/')}` : '/';
  const query = [...u.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=***`).join('&');
  return `${u.protocol}//${u.host}${path}${query ? `?${query}` : ''}`;
}

export const maskDelivery = (d: ScheduleDelivery): ScheduleDelivery => ({
  ...d,
  ...(d.webhook ? { webhook: { url: maskWebhookUrl(d.webhook.url) } } : {}),
});

export interface DeliveryRules {
  /** DELIVERY_ALLOW_PRIVATE_NETWORKS; read from the environment when not given. */
  allowPrivateNetworks?: boolean;
}

export function parseDelivery(raw: unknown, rules: DeliveryRules = {}): ScheduleDelivery {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ExportInputError('delivery: must be an object');
  const r = raw as Record<string, unknown>;
  const extra = Object.keys(r).filter((k) => k !== 's3' && k !== 'webhook');
  if (extra.length) throw new ExportInputError(`delivery: unknown field(s) ${extra.join(', ')}`);
  const out: ScheduleDelivery = {};
  if (r.s3 !== undefined) {
    const s3 = r.s3 as Record<string, unknown>;
    if (!s3 || typeof s3 !== 'object' || typeof s3.bucket !== 'string' || !BUCKET_RE.test(s3.bucket))
      throw new ExportInputError(
        'delivery.s3.bucket: an S3 bucket name (3-63 lower-case letters, digits, "." and "-")',
      );
    const prefix = s3.prefix === undefined ? '' : s3.prefix;
    if (typeof prefix !== 'string' || prefix.length > 512 || prefix.startsWith('/'))
      throw new ExportInputError('delivery.s3.prefix: a key prefix such as "payerguard/exports/" (no leading "/")');
    out.s3 = { bucket: s3.bucket, prefix };
  }
  if (r.webhook !== undefined) {
    const w = r.webhook as Record<string, unknown>;
    let u: URL | undefined;
    try {
      u = new URL(String(w?.url));
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:'))
      throw new ExportInputError('delivery.webhook.url: an http(s) URL');
    const problem = checkDeliveryUrl(u.toString(), {
      allowPrivateNetworks: rules.allowPrivateNetworks ?? deliveryAllowPrivateNetworks(),
    });
    if (problem) throw new ExportInputError(`delivery.webhook.url: ${problem}`);
    out.webhook = { url: u.toString() };
  }
  return out;
}

function validate(input: ScheduleInput, rules: DeliveryRules = {}) {
  if (typeof input.name !== 'string' || !input.name.trim() || input.name.length > 200)
    throw new ExportInputError('name: required, up to 200 characters');
  const timezone = input.timezone ?? 'UTC';
  parseCron(input.cron, timezone);
  const retentionDays = input.retentionDays ?? 90;
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 3650)
    throw new ExportInputError('retentionDays: a whole number of days from 1 to 3650');
  return {
    name: input.name.trim(),
    cron: input.cron.trim(),
    timezone,
    format: parseFormat(input.format),
    scope: parseScope(input.scope),
    retentionDays,
    delivery: parseDelivery(input.delivery, rules),
    enabled: input.enabled ?? true,
  };
}

type Row = typeof exportSchedules.$inferSelect;

function view(r: Row, now = new Date()): Schedule {
  let nextRunAt: string | null = null;
  if (r.enabled)
    try {
      nextRunAt = fireTimes(r.cron, r.timezone, now).next.toISOString();
    } catch {
      nextRunAt = null;
    }
  return {
    id: r.id,
    name: r.name,
    cron: r.cron,
    timezone: r.timezone,
    format: r.format as ExportFormat,
    scope: r.scope as ExportScope,
    retentionDays: r.retentionDays,
    delivery: r.delivery as ScheduleDelivery,
    hasWebhookSecret: !!r.webhookSecret,
    enabled: r.enabled,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    lastRunAt: r.lastRunAt?.toISOString() ?? null,
    nextRunAt,
  };
}

/** Creates a schedule. With a webhook, returns its signing secret: the only time anyone sees it. */
export async function createSchedule(
  db: Db,
  input: ScheduleInput,
  createdBy: string,
  rules: DeliveryRules = {},
): Promise<{ schedule: Schedule; webhookSecret?: string }> {
  const v = validate(input, rules);
  const webhookSecret = v.delivery.webhook ? newWebhookSecret() : undefined;
  const [row] = await db
    .insert(exportSchedules)
    .values({ id: `sch_${randomUUID()}`, ...v, webhookSecret: webhookSecret ?? null, createdBy })
    .returning();
  return { schedule: view(row!), ...(webhookSecret ? { webhookSecret } : {}) };
}

/** Replaces a schedule's settings (all fields, as on create). A webhook added later gets a secret, returned once. */
export async function updateSchedule(
  db: Db,
  id: string,
  input: ScheduleInput,
  opts: { rotateSecret?: boolean } & DeliveryRules = {},
): Promise<{ schedule: Schedule; webhookSecret?: string } | undefined> {
  const v = validate(input, opts);
  const [cur] = await db.select().from(exportSchedules).where(eq(exportSchedules.id, id));
  if (!cur) return undefined;
  let webhookSecret: string | undefined;
  if (v.delivery.webhook && (!cur.webhookSecret || opts.rotateSecret)) webhookSecret = newWebhookSecret();
  const [row] = await db
    .update(exportSchedules)
    .set({ ...v, webhookSecret: v.delivery.webhook ? (webhookSecret ?? cur.webhookSecret) : null })
    .where(eq(exportSchedules.id, id))
    .returning();
  return { schedule: view(row!), ...(webhookSecret ? { webhookSecret } : {}) };
}

export async function deleteSchedule(db: Db, id: string): Promise<boolean> {
  const gone = await db.delete(exportSchedules).where(eq(exportSchedules.id, id)).returning({ id: exportSchedules.id });
  return gone.length > 0;
}

export async function getSchedule(db: Db, id: string): Promise<Schedule | undefined> {
  const [row] = await db.select().from(exportSchedules).where(eq(exportSchedules.id, id));
  return row ? view(row) : undefined;
}

export async function listSchedules(db: Db): Promise<Schedule[]> {
  const rows = await db.select().from(exportSchedules).orderBy(asc(exportSchedules.createdAt), asc(exportSchedules.id));
  const now = new Date();
  return rows.map((r) => view(r, now));
}

/** For the delivery worker only: the secret the webhook body is signed with. */
export async function webhookSecretOf(db: Db, id: string): Promise<string | null> {
  const [row] = await db
    .select({ s: exportSchedules.webhookSecret })
    .from(exportSchedules)
    .where(eq(exportSchedules.id, id));
  return row?.s ?? null;
}

/**
 * Claims one fire slot of a schedule: true for exactly one caller per slot, however many jobs (the scheduler's own,
 * a catch-up after downtime, a duplicate) arrive for it. This is what keeps a missed schedule to one run.
 */
export async function claimSlot(db: Db, id: string, slot: Date, now = new Date()): Promise<boolean> {
  const res = await db.execute(sql`
    update export_schedules set last_run_at = ${now.toISOString()}::timestamptz
    where id = ${id} and enabled and (last_run_at is null or last_run_at < ${slot.toISOString()}::timestamptz)
    returning id`);
  return ((res as { rows?: unknown[] }).rows ?? []).length === 1;
}
