import { describe, expect, it } from 'vitest';
import { AdaptiveBucket, type Clock, RateLimiter } from './rate-limit.js';

/** A clock that only moves when told to: sleeps advance it, so tests read waits, never measure them. */
function fakeClock(): Clock & { t: number; slept: number[] } {
  const c = {
    t: 0,
    slept: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.slept.push(ms);
      c.t += ms;
    },
  };
  return c;
}

const throttle = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

describe('rate limits', () => {
  it('spaces LookupEvents to two a second per account and region, and keeps accounts apart', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(undefined, clock);
    const a = limiter.bucketsFor('111111111111', 'us-east-1', 'CloudTrail', 'LookupEvents');
    const b = limiter.bucketsFor('222222222222', 'us-east-1', 'CloudTrail', 'LookupEvents');
    const other = limiter.bucketsFor('111111111111', 'eu-west-1', 'CloudTrail', 'LookupEvents');
    // The bucket starts full (two), then a call every 500 ms.
    const waits = [a, a, a, a].map((bs) => Math.max(...bs.map((x) => x.reserve())));
    expect(waits.slice(0, 2)).toEqual([0, 0]);
    expect(waits[2]).toBeCloseTo(500);
    expect(waits[3]).toBeCloseTo(1000);
    // Another payer, or the same payer in another region, is not held up by it.
    expect(Math.max(...b.map((x) => x.reserve()))).toBe(0);
    expect(Math.max(...other.map((x) => x.reserve()))).toBe(0);
    // Other CloudTrail calls of the same account are not limited to two a second.
    expect(limiter.bucketsFor('111111111111', 'us-east-1', 'CloudTrail', 'DescribeTrails')).toHaveLength(1);
  });

  it('halves a throttled rate and wins it back on success, never below the floor', () => {
    const clock = fakeClock();
    const bucket = new AdaptiveBucket(20, clock);
    bucket.throttled();
    expect(bucket.rate).toBe(10);
    for (let i = 0; i < 20; i++) bucket.throttled();
    expect(bucket.rate).toBe(0.2);
    for (let i = 0; i < 100; i++) bucket.succeeded();
    expect(bucket.rate).toBe(20);
  });

  it('feeds throttling answers back into the bucket that enforced them and passes every error on', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(undefined, clock);
    const buckets = limiter.bucketsFor('111111111111', 'us-east-1', 'CloudTrail', 'LookupEvents');
    await expect(limiter.run(buckets, () => Promise.reject(throttle()))).rejects.toThrow('Rate exceeded');
    expect(buckets[1]!.rate).toBe(1);
    expect(buckets[0]!.rate).toBe(10);
    await expect(limiter.run(buckets, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(buckets[1]!.rate).toBe(1);
    expect(await limiter.run(buckets, async () => 'ok')).toBe('ok');
    expect(buckets[1]!.rate).toBeCloseTo(1.1);
  });

  it('forgets buckets that hold nothing a new one would not, keeps throttled ones, and sweeps rarely', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(undefined, clock);
    const throttled = limiter.bucketsFor('999999999999', 'us-east-1', 'IAM', 'ListUsers')[0]!;
    throttled.throttled();
    for (let i = 0; i < 10_000; i++) limiter.bucketsFor(String(i), 'us-east-1', 'IAM', 'ListUsers')[0]!.reserve();
    expect(limiter.size).toBe(10_001);
    // Used a moment ago: nothing is forgotten yet (a call may still be on its way back to them).
    clock.t += 1_000;
    limiter.bucketsFor('a', 'us-east-1', 'IAM', 'ListUsers');
    expect(limiter.size).toBe(10_002);
    // Over 30 s later the refilled buckets at their ceiling go; the throttled one stays (its lower rate matters).
    clock.t += 30_001;
    limiter.bucketsFor('b', 'us-east-1', 'IAM', 'ListUsers');
    expect(limiter.size).toBe(2);
    expect(limiter.bucketsFor('999999999999', 'us-east-1', 'IAM', 'ListUsers')[0]).toBe(throttled);
    // Past IDLE_MS even a throttled bucket is forgotten, at the next sweep once the map is large again.
    clock.t += 120_001;
    for (let i = 0; i < 10_000; i++) limiter.bucketsFor(`c${i}`, 'us-east-1', 'IAM', 'ListUsers');
    expect(limiter.bucketsFor('999999999999', 'us-east-1', 'IAM', 'ListUsers')[0]).not.toBe(throttled);
  });

  it('does not limit services it has no figure for', () => {
    const limiter = new RateLimiter(undefined, fakeClock());
    expect(limiter.bucketsFor('1', 'us-east-1', 'S3', 'GetObject')).toEqual([]);
  });
});
