/**
 * Spaces calls that share a quota key (an account and a region) so they stay within an AWS per-key request rate,
 * instead of relying on throttling and backoff. Per process: a payer is collected by one job in one process, and the
 * quotas paced here are per account, so payers never share a key across processes.
 */
export class RatePacer {
  private readonly intervalMs: number;
  private readonly next = new Map<string, number>();

  constructor(
    perSecond: number,
    private readonly clock: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> } = {
      now: () => Date.now(),
      sleep: abortableSleep,
    },
  ) {
    this.intervalMs = 1000 / perSecond;
  }

  /** Resolves when a call under `key` may go; each caller takes the next free slot. */
  async wait(key: string, signal?: AbortSignal): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(now, this.next.get(key) ?? 0);
    this.next.set(key, at + this.intervalMs);
    // Keys whose slots are all in the past carry no information; drop them so a long-lived worker stays small.
    if (this.next.size > 10_000) for (const [k, t] of this.next) if (t <= now) this.next.delete(k);
    if (at > now) await this.clock.sleep(at - now, signal);
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** CloudTrail LookupEvents: 2 requests per second per account per region (CloudTrail quotas). */
export const LOOKUP_EVENTS_PER_SECOND = 2;
export const lookupEventsPacer = new RatePacer(LOOKUP_EVENTS_PER_SECOND);
export const lookupEventsKey = (accountId: string, region: string) => `${accountId}/${region}`;
