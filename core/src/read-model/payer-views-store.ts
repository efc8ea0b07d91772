import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { PAYER_VIEW_SCHEMA_VERSION, type PayerView } from './payer-view.js';

/**
 * Stored payer views. One row per (run, payer), written by the payer job with its findings (or by scoreRun for the
 * payers the job could not evaluate), and pruned at scoring time to the views partners' latest snapshots refer to,
 * so storage stays one view per payer (plus those of a run still in progress) however long history grows.
 */

async function rowsOf<T>(db: Db, q: SQL): Promise<T[]> {
  const res = (await db.execute(q)) as unknown as { rows: T[] };
  return res.rows;
}

/** Writes (or replaces: a rebuild after settings changed) one payer's view for one run. */
export async function storePayerView(db: Db, runId: string, view: PayerView, builtWith: string): Promise<void> {
  await db.execute(sql`
    insert into payer_views (run_id, payer_account_id, partner_id, schema_version, built_with, view)
    values (${runId}, ${view.payerAccountId}, ${view.partnerId}, ${view.schemaVersion}, ${builtWith}, ${JSON.stringify(view)}::jsonb)
    on conflict (run_id, payer_account_id) do update set
      partner_id = excluded.partner_id, schema_version = excluded.schema_version, built_with = excluded.built_with,
      view = excluded.view, built_at = now()`);
}

/** Writes (or replaces) several payers' views in one statement: the batched form of storePayerView. */
export async function storePayerViews(
  db: Db,
  rows: readonly { runId: string; view: PayerView; builtWith: string }[],
): Promise<void> {
  if (!rows.length) return;
  const col = <T>(f: (r: (typeof rows)[number]) => T) => sql.param(rows.map(f));
  await db.execute(sql`
    insert into payer_views (run_id, payer_account_id, partner_id, schema_version, built_with, view)
    select run_id, payer_account_id, partner_id, schema_version, built_with, view::jsonb
    from unnest(${col((r) => r.runId)}::text[], ${col((r) => r.view.payerAccountId)}::text[],
      ${col((r) => r.view.partnerId)}::text[], ${col((r) => r.view.schemaVersion)}::int[], ${col((r) => r.builtWith)}::text[],
      ${col((r) => JSON.stringify(r.view))}::text[])
      as t(run_id, payer_account_id, partner_id, schema_version, built_with, view)
    on conflict (run_id, payer_account_id) do update set
      partner_id = excluded.partner_id, schema_version = excluded.schema_version, built_with = excluded.built_with,
      view = excluded.view, built_at = now()`);
}

/** A partner's payer views in one run, by payer account id; only views of the current schema version. */
export async function payerViewsFor(db: Db, runId: string, partnerId: string): Promise<PayerView[]> {
  const rows = await rowsOf<{ view: PayerView | string }>(
    db,
    sql`select view from payer_views
        where run_id = ${runId} and partner_id = ${partnerId} and schema_version = ${PAYER_VIEW_SCHEMA_VERSION}
        order by payer_account_id`,
  );
  return rows.map((r) => (typeof r.view === 'string' ? (JSON.parse(r.view) as PayerView) : r.view));
}

/** Payers of a run whose stored view was built with these settings and controls and the current schema version. */
export async function payerViewsReady(db: Db, runId: string, fingerprint: string): Promise<Set<string>> {
  const rows = await rowsOf<{ payer_account_id: string }>(
    db,
    sql`select payer_account_id from payer_views
        where run_id = ${runId} and built_with = ${fingerprint} and schema_version = ${PAYER_VIEW_SCHEMA_VERSION}`,
  );
  return new Set(rows.map((r) => r.payer_account_id));
}

/**
 * Deletes the given partners' views that their latest snapshot does not refer to, keeping those of runs newer than
 * it (still collecting or not yet scored). Run after a scoring has written its snapshots.
 */
export async function prunePayerViews(db: Db, partnerIds: readonly string[]): Promise<number> {
  if (!partnerIds.length) return 0;
  // Per stored view (a few per payer), one index lookup of its partner's latest snapshot: never a scan of history.
  const deleted = await rowsOf<{ run_id: string }>(
    db,
    sql`
      delete from payer_views v
      where v.partner_id = any(${sql.param([...partnerIds])}::text[])
        and exists (
          select 1
          from (select s.run_id from snapshots s where s.partner_id = v.partner_id
                order by s.taken_at desc, s.id desc limit 1) latest
          join runs lr on lr.id = latest.run_id
          join runs vr on vr.id = v.run_id
          where latest.run_id <> v.run_id and vr.created_at <= lr.created_at)
      returning v.run_id`,
  );
  return deleted.length;
}
