import type { Db } from '@payerguard/core';
import { queryPrepared } from '@payerguard/core/db/prepared';

/**
 * Serialized drill-downs kept in memory, each under a fingerprint of every row it was built from, taken with one
 * indexed query: the partner, its payers, its latest-snapshot pointer and snapshot count, the payer views of that
 * latest run, its suppressions and its root-access windows. A row's `xmin` (the transaction that wrote this version
 * of it) changes whenever the row does, whoever writes it, so a request whose fingerprint matches may be answered
 * with the bytes built before: no re-read of findings, views or history, no re-serialization.
 *
 * The fingerprint is taken before the rows are read, as with the estate view: a commit in between leaves a newer
 * body under an older fingerprint, and the next request, seeing a new fingerprint, builds again.
 *
 * What changes with the clock alone (a suppression expiring, a pending root-access window lapsing) is handled by the
 * entry's `validUntil`: the earliest such moment in the body.
 */
const FINGERPRINT_SQL = `
  select (select xmin::text from partners where id = $1) as partner,
    md5(concat_ws('|',
      (select string_agg(account_id || ':' || xmin::text, ',' order by account_id) from payers where partner_id = $1),
      (select snapshot_id || ':' || xmin::text from partner_latest where partner_id = $1),
      (select count(*) || ':' || coalesce(max(taken_at)::text, '') from snapshots where partner_id = $1),
      (select string_agg(v.payer_account_id || ':' || v.xmin::text, ',' order by v.payer_account_id)
         from payer_views v join partner_latest l on l.partner_id = v.partner_id and l.run_id = v.run_id
        where v.partner_id = $1),
      (select string_agg(id || ':' || xmin::text, ',' order by id) from suppressions where partner_id = $1),
      (select string_agg(id || ':' || xmin::text, ',' order by id) from root_access_windows where partner_id = $1)
    )) as rest`;

export async function drilldownFingerprint(db: Db, partnerId: string): Promise<string | null> {
  const [r] = await queryPrepared<{ partner: string | null; rest: string }>(
    db,
    'drilldown_fingerprint_v1',
    FINGERPRINT_SQL,
    [partnerId],
  );
  return r?.partner ? `${r.partner}:${r.rest}` : null;
}

interface Entry {
  fingerprint: string;
  validUntil: number;
  body: string;
}

/** Bounded by bytes, least recently used out first: a distributor's analysts look at a few hundred partners a day. */
export class DrilldownCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  get(key: string, fingerprint: string, now: number): string | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.fingerprint !== fingerprint || now >= e.validUntil) {
      this.drop(key, e);
      return null;
    }
    // Touch: re-insert so the Map's order stays least recently used first.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.body;
  }

  set(key: string, fingerprint: string, body: string, validUntil: number): void {
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    if (body.length > this.maxBytes / 4) return;
    this.entries.set(key, { fingerprint, body, validUntil });
    this.bytes += body.length;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(k, e);
    }
  }

  private drop(key: string, e: Entry) {
    this.entries.delete(key);
    this.bytes -= e.body.length;
  }
}

/** The first moment after `now` at which a body built now would read differently with no row changed. */
export function clockBoundary(
  body: {
    suppressions: { expiresAt: string }[];
    rootAccess: { windows: { startsAt: string; endsAt: string }[] };
  },
  now: number,
): number {
  let next = Number.POSITIVE_INFINITY;
  const consider = (iso: string, after = 0) => {
    const t = Date.parse(iso) + after;
    if (t > now && t < next) next = t;
  };
  for (const s of body.suppressions) consider(s.expiresAt);
  for (const w of body.rootAccess.windows) {
    consider(w.startsAt);
    // A pending window reads "expired" from the first millisecond after its end.
    consider(w.endsAt, 1);
  }
  return next;
}
