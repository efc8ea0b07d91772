import { describe, expect, it } from 'vitest';
import { LOOKUP_EVENTS_PER_SECOND, lookupEventsKey, RatePacer } from './rate-pacer.js';

/** A clock that only moves when a caller sleeps: the test reads the schedule, never wall time. */
function fakeClock() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('RatePacer', () => {
  it('spaces calls under one key at the quota and leaves other keys alone', async () => {
    const clock = fakeClock();
    const pacer = new RatePacer(LOOKUP_EVENTS_PER_SECOND, clock);
    const a = lookupEventsKey('123456789012', 'us-east-1');
    const b = lookupEventsKey('123456789012', 'eu-central-1');
    await Promise.all([pacer.wait(a), pacer.wait(a), pacer.wait(a), pacer.wait(b)]);
    // First call goes at once; the next two wait 500 ms and 1000 ms; another region has its own quota.
    expect(clock.sleeps).toEqual([500, 1000]);
  });

  it('does not make a caller wait once the interval has passed', async () => {
    const clock = fakeClock();
    const pacer = new RatePacer(2, clock);
    await pacer.wait('k');
    clock.advance(600);
    await pacer.wait('k');
    expect(clock.sleeps).toEqual([]);
  });
});
