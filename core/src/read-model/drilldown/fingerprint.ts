/**
 * What a drill-down was built from, read by index: the `xmin` (the transaction that wrote this version of a
 * row) of the partner, its payers, its latest-snapshot pointer, the payer views of that latest run, its suppressions
 * and its root-access windows, and the version of its history (partner_history_versions, moved by triggers on any
 * write to its snapshots, migration 0013: one row, however long the history). A row's xmin changes whenever the row
 * does, whoever writes it, so a body kept under a fingerprint that still matches says what a fresh build would, until
 * the clock alone changes it (`clockBoundary`).
 *
 * Take the fingerprint before reading the rows: a commit in between leaves a newer body under an older fingerprint,
 * and the next reader, seeing a new fingerprint, builds again. Never the other way round.
 *
 * `fingerprintColumns(id)` gives the two columns for the partner id expression `id` (a parameter, or a column of a list
 * of partners); `partner` is null when there is no such partner.
 */
export const fingerprintColumns = (id: string) => `
  (select xmin::text from partners where id = ${id}) as partner,
    md5(concat_ws('|',
      (select string_agg(account_id || ':' || xmin::text, ',' order by account_id) from payers where partner_id = ${id}),
      (select snapshot_id || ':' || xmin::text from partner_latest where partner_id = ${id}),
      (select version || ':' || xmin::text from partner_history_versions where partner_id = ${id}),
      (select string_agg(v.payer_account_id || ':' || v.xmin::text, ',' order by v.payer_account_id)
         from payer_views v join partner_latest l on l.partner_id = v.partner_id and l.run_id = v.run_id
        where v.partner_id = ${id}),
      (select string_agg(id || ':' || xmin::text, ',' order by id) from suppressions where partner_id = ${id}),
      (select string_agg(id || ':' || xmin::text, ',' order by id) from root_access_windows where partner_id = ${id})
    )) as rest`;

/** The fingerprint as one string, from the query's two columns (null: no such partner). */
export const fingerprintOf = (r: { partner: string | null; rest: string | null } | undefined): string | null =>
  r?.partner ? `${r.partner}:${r.rest}` : null;

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
