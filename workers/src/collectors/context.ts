import type { DistributorSettings } from '@payerguard/core';
import type { Credentials, SessionOptions } from '../aws/client-options.js';

/** What every collector gets: the assumed-role session into one payer. */
export interface CollectorContext {
  session: SessionOptions;
  /** The assumed-role session, renewed before it expires (aws/session.ts). */
  credentials: Credentials;
  settings: DistributorSettings;
  /** The payer account the session is in. */
  accountId: string;
  now: Date;
  /** Regions the regional collectors read (RegionScope.read); unset means us-east-1 only. */
  regions?: string[];
}

/** Room for the SDK's backoff between retries (throttling backs off longest, up to 20 s a retry). */
const BACKOFF_ALLOWANCE_MS = 20_000;
/** A single call and its retries: every attempt may use its whole timeout, plus the backoff between them. */
export const singleBudget = (ctx: { session: SessionOptions }) =>
  ctx.session.timeoutMs * ctx.session.maxAttempts + BACKOFF_ALLOWANCE_MS;
/** A paginated call: every page, each with its retries. */
export const pagedBudget = (ctx: { session: SessionOptions }) => ctx.session.timeoutMs * 30 + BACKOFF_ALLOWANCE_MS;

/** Pages one paginated call may read before it is treated as an oversized answer. */
export const MAX_PAGES = 1000;
/** Items kept from one list (accounts, rules, events); beyond it the list is truncated, not the process. */
export const MAX_ITEMS = 50_000;
/** Root events kept per payer: more than enough to judge, bounded so one noisy payer cannot blow a job's memory. */
export const MAX_ROOT_EVENTS = 1000;
