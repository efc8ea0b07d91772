import { setTimeout as sleep } from 'node:timers/promises';
import { classify } from './call.js';

/**
 * Client-side rate limits per account, per region and per service (and per operation where AWS documents one), with
 * adaptive rates: a throttled answer halves the rate for that account and service, each success wins a little back.
 * AWS applies its limits to the account whose credentials sign the call, so one throttled payer slows only itself:
 * every other payer has buckets of its own. The SDK's own adaptive retry still retries; each attempt waits its turn
 * here first.
 */

/** Requests per second, as AWS documents them where it does, conservative where it does not. */
export const RATE_LIMITS: Record<string, { service: number; operations?: Record<string, number> }> = {
  // "The rate of lookup requests is limited to two per second, per account, per Region" (CloudTrail API reference).
  CloudTrail: { service: 10, operations: { LookupEvents: 2 } },
  // Account Management quotas: GetContactInformation and GetAlternateContact 10 per second per account.
  Account: { service: 10 },
  // IAM, Organizations, EventBridge and Cost Explorer publish no read rate: these stay below what they throttle at in
  // practice; the adaptive rate finds the real one. Cost Explorer costs $0.01 a call: one call per payer and run.
  IAM: { service: 20 },
  Organizations: { service: 10 },
  EventBridge: { service: 20 },
  'Cost Explorer': { service: 5 },
  // AssumeRole is signed by the hub account: this is the whole distributor's rate into its payers.
  STS: { service: 200 },
};

const CLIENT_SERVICE: Record<string, string> = {
  CloudTrailClient: 'CloudTrail',
  AccountClient: 'Account',
  IAMClient: 'IAM',
  OrganizationsClient: 'Organizations',
  EventBridgeClient: 'EventBridge',
  CostExplorerClient: 'Cost Explorer',
  STSClient: 'STS',
};

/** Lowest rate a throttled bucket falls to: one call every 5 s still finishes a payer within its budget. */
const MIN_RATE = 0.2;
/** Idle buckets are forgotten after this long (a run of 50,000 payers must not keep 50,000 x 7 buckets). */
const IDLE_MS = 120_000;
/**
 * A bucket back at its ceiling with its tokens refilled is the same as a new one: once unused this long (longer than
 * a call and its retries wait on it) it can be forgotten early, so only throttled buckets are kept the full IDLE_MS.
 */
const FRESH_IDLE_MS = 30_000;
/** Buckets held before a sweep; a sweep runs at most this often, never once per new bucket. */
const SWEEP_AT = 10_000;
const SWEEP_EVERY_MS = 5_000;

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

/** A token bucket whose refill rate adapts: halved on throttling, raised by a twentieth of its ceiling on success. */
export class AdaptiveBucket {
  rate: number;
  private tokens: number;
  private last: number;
  lastUsed: number;

  constructor(
    readonly ceiling: number,
    private readonly clock: Clock,
  ) {
    this.rate = ceiling;
    this.tokens = Math.max(1, ceiling);
    this.last = clock.now();
    this.lastUsed = this.last;
  }

  /** Milliseconds the caller must wait before sending; the token is reserved at once, so callers queue in order. */
  reserve(): number {
    const now = this.clock.now();
    this.tokens = Math.min(Math.max(1, this.rate), this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    this.lastUsed = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.rate) * 1000;
  }

  throttled(): void {
    this.rate = Math.max(MIN_RATE, this.rate / 2);
    // No burst right after a throttle: the next call waits a full interval at the new rate.
    this.tokens = Math.min(this.tokens, 0);
  }

  succeeded(): void {
    this.rate = Math.min(this.ceiling, this.rate + this.ceiling / 20);
  }

  /** Nothing a new bucket would not also have: full rate and, by `now`, full tokens. */
  fresh(now: number): boolean {
    return this.rate === this.ceiling && this.tokens + ((now - this.last) / 1000) * this.rate >= Math.max(1, this.rate);
  }
}

export class RateLimiter {
  private readonly buckets = new Map<string, AdaptiveBucket>();
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly limits = RATE_LIMITS,
    private readonly clock: Clock = realClock,
  ) {}

  /** The buckets one call draws from: its service's, and its operation's when that has a limit of its own. */
  bucketsFor(account: string, region: string, service: string, operation: string): AdaptiveBucket[] {
    const limit = this.limits[service];
    if (!limit) return [];
    const out = [this.bucket(`${account}|${region}|${service}`, limit.service)];
    const op = limit.operations?.[operation];
    if (op !== undefined) out.push(this.bucket(`${account}|${region}|${service}|${operation}`, op));
    return out;
  }

  private bucket(key: string, ceiling: number): AdaptiveBucket {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= SWEEP_AT && this.clock.now() - this.lastSweep >= SWEEP_EVERY_MS) this.forgetIdle();
      b = new AdaptiveBucket(ceiling, this.clock);
      this.buckets.set(key, b);
    }
    return b;
  }

  /**
   * Forgets idle buckets. At a few payers a second the buckets of the last two minutes number more than SWEEP_AT
   * (~40 a payer), so sweeping on every new bucket scanned them all for every bucket made; once per SWEEP_EVERY_MS,
   * also dropping buckets that hold nothing a new one would not, keeps both the map and the scans small.
   */
  private forgetIdle(): void {
    const now = this.clock.now();
    this.lastSweep = now;
    for (const [k, b] of this.buckets)
      if (now - b.lastUsed > IDLE_MS || (now - b.lastUsed > FRESH_IDLE_MS && b.fresh(now))) this.buckets.delete(k);
  }

  /** Runs `send` when every bucket has a token; feeds throttling and success back into the buckets. */
  async run<T>(buckets: AdaptiveBucket[], send: () => Promise<T>): Promise<T> {
    const wait = Math.max(0, ...buckets.map((b) => b.reserve()));
    if (wait > 0) await this.clock.sleep(wait);
    try {
      const out = await send();
      for (const b of buckets) b.succeeded();
      return out;
    } catch (err) {
      // The most specific bucket is the limit AWS enforced (an operation's own, else the service's).
      if (classify(err) === 'throttled') buckets.at(-1)?.throttled();
      throw err;
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** One limiter per process: every payer's calls and every collector share it. */
export const processRateLimiter = new RateLimiter();

interface LimitableClient {
  config: { region: unknown; credentials?: unknown };
  middlewareStack: {
    add: (mw: never, opts: { step: 'finalizeRequest'; priority: 'low'; name: string }) => void;
  };
}

async function resolve<T>(v: unknown): Promise<T | undefined> {
  return (typeof v === 'function' ? await (v as () => Promise<T>)() : v) as T | undefined;
}

/**
 * Puts a client's calls under the process's rate limits for `accountId` (the account whose credentials sign them, or
 * a function naming it per call for clients shared by payers; unset: the signing access key). Sits after the SDK's retry step, so every attempt, retries included, waits its turn.
 */
export function rateLimit(
  client: LimitableClient,
  accountId?: string | (() => string),
  limiter = processRateLimiter,
): void {
  const mw =
    (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
    async (args: unknown) => {
      const service = CLIENT_SERVICE[context.clientName ?? ''] ?? '';
      const region = (await resolve<string>(client.config.region)) ?? '';
      const account =
        (typeof accountId === 'function' ? accountId() : accountId) ??
        (await resolve<{ accessKeyId?: string }>(client.config.credentials).catch(() => undefined))?.accessKeyId ??
        '';
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      return limiter.run(limiter.bucketsFor(account, region, service, operation), () => next(args));
    };
  client.middlewareStack.add(mw as never, { step: 'finalizeRequest', priority: 'low', name: 'payerguardRateLimit' });
}
