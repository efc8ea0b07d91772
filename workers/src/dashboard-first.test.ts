import { describe, expect, it } from 'vitest';
import { dashboardFirst } from './dashboard-first.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Holds the event loop as a run's SDK calls and evidence writes do. */
const busy = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {}
};

describe('dashboardFirst', () => {
  it('starts fewer payers while the dashboard is used and the loop lags, and all of them once nobody uses it', async () => {
    const worker = { concurrency: 32 };
    let lastRequestAt = Date.now();
    // lowLagMs -1: a quiet tick between two busy ones does not step back up here (the next test covers that).
    const g = dashboardFirst(worker, {
      lastRequestAt: () => lastRequestAt,
      max: 32,
      tickMs: 50,
      highLagMs: 50,
      lowLagMs: -1,
    });
    try {
      for (let i = 0; i < 30 && worker.concurrency > 2; i++) {
        lastRequestAt = Date.now();
        busy(120);
        await sleep(60);
      }
      expect(worker.concurrency).toBe(2);
      // Nobody on the API: back to the configured concurrency at the next tick, however the loop lags.
      lastRequestAt = 0;
      for (let i = 0; i < 200 && worker.concurrency !== 32; i++) await sleep(10);
      expect(worker.concurrency).toBe(32);
    } finally {
      g.stop();
    }
  });

  it('takes more payers again, two at a time, once the loop is quiet while the dashboard is in use', async () => {
    const worker = { concurrency: 32 };
    // Every lag counts as high, then every lag as low: the steps are what is tested, not this machine's lag.
    const o = { lastRequestAt: () => Date.now(), max: 32, min: 4, tickMs: 40, highLagMs: -1, lowLagMs: -1 };
    const g = dashboardFirst(worker, o);
    const seen: number[] = [];
    try {
      for (let i = 0; i < 250 && worker.concurrency > 4; i++) await sleep(20);
      expect(worker.concurrency).toBe(4);
      o.highLagMs = 60_000;
      o.lowLagMs = 60_000;
      for (let i = 0; i < 1000 && worker.concurrency < 32; i++) {
        if (seen.at(-1) !== worker.concurrency) seen.push(worker.concurrency);
        await sleep(10);
      }
      seen.push(worker.concurrency);
      expect(seen).toEqual([4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32]);
    } finally {
      g.stop();
    }
  });
});
