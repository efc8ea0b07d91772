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

/**
 * One page of the current findings (each partner's latest run), ordered by severity, partner, control, resource and
 * id, read one severity at a time: partners are walked in id order (partner_latest's primary key) and each one's
 * finding set is unnested and sorted on its own, so a page stops reading as soon as it is full instead of sorting
 * every current finding of the estate. Later severities are read only when the earlier ones ran out.
 */
export async function latestFindingsPage(
  db: Db,
  f: FindingFilter,
  o: { after: FindingKey | null; limit: number; offset: number },
): Promise<Record<string, unknown>[]> {
  const want = o.offset + o.limit + 1;
  const out: Record<string, unknown>[] = [];
  for (let rank = o.after ? o.after[0] : 0; rank < SEVERITY_ORDER.length && out.length < want; rank++) {
    const severity = SEVERITY_ORDER[rank]!;
    if (f.severities && !f.severities.includes(severity)) continue;
    // As the one-query ordering had it, a severity outside the four (none is written today) ranks with "low".
    const ofRank =
      rank < SEVERITY_ORDER.length - 1
        ? sql`c.severity = ${severity}`
        : sql`c.severity <> all(${sql.param(SEVERITY_ORDER.slice(0, -1))}::text[])`;
    const a = o.after && o.after[0] === rank ? o.after : null;
    const keyset = a
      ? sql`and pl.partner_id >= ${a[1]}
            and (pl.partner_id > ${a[1]} or (x.control_id, x.resource, x.id) > (${a[2]}::text, ${a[3]}::text, ${a[4]}::bigint))`
      : sql``;
    const got = await rows<Record<string, unknown>>(
      db,
      sql`select x.*, pl.partner_id, p.name as partner_name, ${rank}::int as sev_rank
          from partner_latest pl
          join partners p on p.id = pl.partner_id
          cross join lateral (
            select rf.id * 1000000 + u.ord as id, rf.run_id, rf.payer_account_id, c.control_id, c.resource, c.status,
                   c.severity, c.title, c.message, c.evidence, c.suppression_id
            from run_findings rf
            join finding_sets s on s.hash = rf.set_hash
            cross join lateral unnest(s.items) with ordinality as u(hash, ord)
            join finding_contents c on c.hash = u.hash
            where rf.run_id = pl.run_id and rf.partner_id = pl.partner_id and ${ofRank}
              and ${conditions(f, sql`pl`, sql`c`)}
          ) x
          where true ${keyset}
          order by pl.partner_id, x.control_id, x.resource, x.id
          limit ${want - out.length}`,
    );
    out.push(...got);
  }
  return out.slice(o.offset);
}

/** How many current findings match (every partner's latest run). */
export async function countLatestFindings(db: Db, f: FindingFilter): Promise<number> {
  const [r] = await rows<{ n: string }>(
    db,
    sql`select count(*) as n
        from partner_latest pl
        join run_findings rf on rf.run_id = pl.run_id and rf.partner_id = pl.partner_id
        join finding_sets s on s.hash = rf.set_hash
        cross join lateral unnest(s.items) as u(hash)
        join finding_contents c on c.hash = u.hash
        where ${conditions(f, sql`pl`, sql`c`)}`,
  );
  return Number(r?.n ?? 0);
}
