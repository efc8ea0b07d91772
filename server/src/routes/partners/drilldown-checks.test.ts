import type { Db } from '@payerguard/core';
import type { DrilldownCheck, DrilldownCheckRequest } from '@payerguard/core/read-model/drilldown/stored';
import { describe, expect, it } from 'vitest';
import { DrilldownChecks, type DrilldownChecksOptions } from './drilldown-checks.js';

// The scheduling alone: `read` stands in for the query, answering each partner by its id once released.
function harness(o: Omit<DrilldownChecksOptions, 'read'> = {}) {
  const queries: { ids: string[]; release: (err?: Error) => void }[] = [];
  const read = (requests: DrilldownCheckRequest[]) =>
    new Promise<(DrilldownCheck | null)[]>((resolve, reject) => {
      queries.push({
        ids: requests.map((r) => r.partnerId),
        release: (err) =>
          err
            ? reject(err)
            : resolve(
                requests.map((r) => (r.partnerId === 'gone' ? null : { fingerprint: r.partnerId, stored: null })),
              ),
      });
    });
  const checks = new DrilldownChecks(null as unknown as Db, { ...o, read });
  const ask = (id: string) => checks.check({ partnerId: id, variant: 'staff', held: null });
  return { queries, ask };
}
// Two turns: a query's end frees its place in a callback after its askers', and the next goes at the end of a turn.
const turn = async () => {
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
};

describe('DrilldownChecks', () => {
  it('asks the requests of one moment in one query, and those that arrive while it runs in the next', async () => {
    const { queries, ask } = harness();
    const first = ['a', 'b', 'gone'].map(ask);
    await turn();
    expect(queries.map((q) => q.ids)).toEqual([['a', 'b', 'gone']]);
    const later = ['c', 'd'].map(ask);
    await turn();
    // One query in flight: c and d wait for it.
    expect(queries).toHaveLength(1);
    queries[0]!.release();
    expect(await Promise.all(first)).toEqual([
      { fingerprint: 'a', stored: null },
      { fingerprint: 'b', stored: null },
      null,
    ]);
    await turn();
    expect(queries.map((q) => q.ids)).toEqual([
      ['a', 'b', 'gone'],
      ['c', 'd'],
    ]);
    queries[1]!.release();
    expect((await Promise.all(later)).map((c) => c?.fingerprint)).toEqual(['c', 'd']);
  });

  it('puts no more than maxPerQuery partners in a query, and runs up to maxQueries at once', async () => {
    const { queries, ask } = harness({ maxPerQuery: 2, maxQueries: 2 });
    const all = ['a', 'b', 'c', 'd', 'e'].map(ask);
    await turn();
    expect(queries.map((q) => q.ids)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    queries[0]!.release();
    await all[1];
    await turn();
    expect(queries.map((q) => q.ids)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    for (const q of queries.slice(1)) q.release();
    expect((await Promise.all(all)).map((c) => c?.fingerprint)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('fails only the askers of a query that failed', async () => {
    const { queries, ask } = harness();
    const failed = ask('a');
    await turn();
    const next = ask('b');
    queries[0]!.release(new Error('connection terminated'));
    await expect(failed).rejects.toThrow('connection terminated');
    await turn();
    queries[1]!.release();
    expect((await next)?.fingerprint).toBe('b');
  });

  it('lets the next query go once the one in flight has stalled', async () => {
    const { queries, ask } = harness({ stallMs: 50 });
    const stuck = ask('a');
    await turn();
    const next = ask('b');
    await turn();
    expect(queries).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 80));
    await turn();
    expect(queries.map((q) => q.ids)).toEqual([['a'], ['b']]);
    queries[1]!.release();
    expect((await next)?.fingerprint).toBe('b');
    // The stalled one still answers its asker when it comes back, and frees no second place.
    queries[0]!.release();
    expect((await stuck)?.fingerprint).toBe('a');
    const third = ask('c');
    await turn();
    const fourth = ask('d');
    await turn();
    expect(queries.map((q) => q.ids)).toEqual([['a'], ['b'], ['c']]);
    queries[2]!.release();
    expect((await third)?.fingerprint).toBe('c');
    await turn();
    queries[3]!.release();
    expect((await fourth)?.fingerprint).toBe('d');
  });
});
