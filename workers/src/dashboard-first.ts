import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '@payerguard/core';

/**
 * When the API answers from this same process (the embedded default: PGlite lives in one process, so the API, the
 * workers and the database share one event loop), collection gives way to the dashboard. A run keeps the loop busy
 * with SDK calls and evidence writes; a request then waits behind all of it. While somebody has used the API in the
 * last `activeMs` and the loop lags, the payer worker takes fewer payers at once (halved, down to `min`); when the loop
 * is quiet again it takes more, a few at a time, and with nobody on the API it is back to its configured concurrency
 * at once. Jobs in flight are never stopped: only how many new ones start changes. With PostgreSQL the API and the
 * workers run as processes of their own and nothing of this is used.
 */
export interface DashboardFirstOptions {
  /** Epoch ms of the last API request in this process (0: none yet). */
  lastRequestAt: () => number;
  /** The configured concurrency, used whenever nobody is on the dashboard. */
  max: number;
  min?: number;
  /** p90 of the loop's delay over a tick above which fewer payers start, and below which more do. */
  highLagMs?: number;
  lowLagMs?: number;
  activeMs?: number;
  tickMs?: number;
  logger?: Logger;
}

export function dashboardFirst(worker: { concurrency: number }, o: DashboardFirstOptions): { stop(): void } {
  const min = Math.max(1, Math.min(o.min ?? 2, o.max));
  const activeMs = o.activeMs ?? 10_000;
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  let current = o.max;
  const set = (n: number) => {
    if (n === current) return;
    current = n;
    worker.concurrency = n;
    o.logger?.debug({ concurrency: n }, 'payer concurrency (dashboard first)');
  };
  const timer = setInterval(() => {
    const p90 = lag.percentile(90) / 1e6;
    lag.reset();
    const active = Date.now() - o.lastRequestAt() < activeMs;
    if (!active) set(o.max);
    else if (p90 > (o.highLagMs ?? 50)) set(Math.max(min, Math.floor(current / 2)));
    else if (p90 < (o.lowLagMs ?? 20)) set(Math.min(o.max, current + 2));
  }, o.tickMs ?? 500);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      lag.disable();
      set(o.max);
    },
  };
}
