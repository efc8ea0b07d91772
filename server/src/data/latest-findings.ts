import type { Db } from '@payerguard/core';
import { type SQL, sql } from 'drizzle-orm';
import { rows } from './rows.js';

/** Severities in the order the findings list shows them; a finding's rank is its index here. */
export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'] as const;

export interface FindingFilter {
  partnerId?: string | undefined;
  controlId?: string | undefined;
  statuses?: string[] | undefined;
  severities?: string[] | undefined;
}

/** The last row of a page: (severity rank, partner id, control id, resource, finding id). */
export type FindingKey = [number, string, string, string, number];

const conditions = (f: FindingFilter, pl: SQL, c: SQL): SQL => {
  const conds = [sql`true`];
  if (f.partnerId !== undefined) conds.push(sql`${pl}.partner_id = ${f.partnerId}`);
  if (f.controlId) conds.push(sql`${c}.control_id = ${f.controlId}`);
  if (f.statuses) conds.push(sql`${c}.status = any(${sql.param(f.statuses)}::text[])`);
  if (f.severities) conds.push(sql`${c}.severity = any(${sql.param(f.severities)}::text[])`);
  return sql.join(conds, sql` and `);
};

const RANK = sql`(case c.severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end)`;

/** How many current findings match, per (severity rank, partner), in list order. */
export interface FindingIndex {
  entries: { rank: number; partnerId: string; n: number }[];
  total: number;
}

/**
 * The shape of a filter's current findings (each partner's latest run): one scan of them, grouped by severity rank
 * and partner. Read once per estate version and filter (current findings change only with a partner's latest
 * snapshot), it gives the total and tells each page which few partners hold its rows.
 */
export async function readFindingIndex(db: Db, f: FindingFilter): Promise<FindingIndex> {
  const r = await rows<{ rank: number; partner_id: string; n: string }>(
    db,
    sql`select ${RANK} as rank, pl.partner_id, count(*) as n
        from partner_latest pl
        join run_findings rf on rf.run_id = pl.run_id and rf.partner_id = pl.partner_id
        join finding_sets s on s.hash = rf.set_hash
        cross join lateral unnest(s.items) as u(hash)
        join finding_contents c on c.hash = u.hash
        where ${conditions(f, sql`pl`, sql`c`)}
        group by 1, 2
        order by 1, 2`,
  );
  const entries = r.map((x) => ({ rank: Number(x.rank), partnerId: x.partner_id, n: Number(x.n) }));
  return { entries, total: entries.reduce((t, e) => t + e.n, 0) };
}

/**
 * One page of the current findings, ordered by severity, partner, control, resource and id. The index says which
 * (rank, partner) pairs hold the page's rows, so only those partners' finding sets are read: a page costs the same
 * at the first partner and the ten-thousandth, with a filter that matches everywhere or almost nowhere.
 * Returns up to offset + limit + 1 rows past the offset (one more than the page: there is a next page).
 */
export async function latestFindingsPage(
  db: Db,
  f: FindingFilter,
  index: FindingIndex,
  o: { after: FindingKey | null; limit: number; offset: number },
): Promise<Record<string, unknown>[]> {
  const { entries } = index;
  const a = o.after;
  const offset = a ? 0 : o.offset;
  const want = offset + o.limit + 1;
  // The first (rank, partner) at or after the cursor's.
  let lo = 0;
  if (a) {
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const e = entries[mid]!;
      if (e.rank < a[0] || (e.rank === a[0] && e.partnerId < a[1])) lo = mid + 1;
      else hi = mid;
    }
  }
  const chosen: { rank: number; partnerId: string }[] = [];
  let rowsAhead = 0;
  for (let i = lo; i < entries.length && rowsAhead < want; i++) {
    const e = entries[i]!;
    chosen.push(e);
    // The cursor's own partner may have few rows left after it: count on none, so the page is never cut short.
    if (!(a && e.rank === a[0] && e.partnerId === a[1])) rowsAhead += e.n;
  }
  if (chosen.length === 0) return [];
  const keyset = a
    ? sql`and (t.rank, pl.partner_id, x.control_id, x.resource, x.id) > (${a[0]}::int, ${a[1]}::text, ${a[2]}::text, ${a[3]}::text, ${a[4]}::bigint)`
    : sql``;
  return rows<Record<string, unknown>>(
    db,
    sql`select x.*, pl.partner_id, p.name as partner_name, t.rank as sev_rank
        from unnest(${sql.param(chosen.map((c) => c.rank))}::int[], ${sql.param(chosen.map((c) => c.partnerId))}::text[])
          as t(rank, partner_id)
        join partner_latest pl on pl.partner_id = t.partner_id
        join partners p on p.id = pl.partner_id
        cross join lateral (
          select rf.id * 1000000 + u.ord as id, rf.run_id, rf.payer_account_id, c.control_id, c.resource, c.status,
                 c.severity, c.title, c.message, c.evidence, c.suppression_id
          from run_findings rf
          join finding_sets s on s.hash = rf.set_hash
          cross join lateral unnest(s.items) with ordinality as u(hash, ord)
          join finding_contents c on c.hash = u.hash
          where rf.run_id = pl.run_id and rf.partner_id = pl.partner_id and ${RANK} = t.rank
            and ${conditions(f, sql`pl`, sql`c`)}
          offset 0
        ) x
        where true ${keyset}
        order by t.rank, pl.partner_id, x.control_id, x.resource, x.id
        limit ${want} offset ${offset}`,
  );
}
