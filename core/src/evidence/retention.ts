import { sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';

/**
 * Raw-evidence retention (the distributor setting evidenceRetentionDays). Purging takes the exclusive side of one
 * advisory lock and every evidence or findings writer the shared side, so a document that looks unreferenced here
 * cannot be picked up by a writer's "already stored" in the meantime.
 */
export const STORAGE_LOCK = sql`hashtext('payerguard:content-store')`;

/** Writers call this inside their transaction before they reference a stored document or finding set. */
export async function lockStoreShared(db: Db): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock_shared(${STORAGE_LOCK})`);
}

export interface PurgeResult {
  /** Per-run evidence rows removed. */
  evidenceRows: number;
  /** Documents no run referenced any more. */
  documents: number;
  /** Finding sets no run referenced any more (left behind by re-scored runs). */
  findingSets: number;
  /** Finding contents no remaining set held any more. */
  findingContents: number;
  /** Request-id layouts no evidence row used any more. */
  requestLayouts: number;
}

/**
 * Removes raw evidence of runs created before now - retentionDays, except what is still needed: the evidence each
 * partner's latest snapshot was scored from (the drill-down, exports and live-event re-scores read it), anything of
 * a run not finished, and everything while an export is being generated. Findings and snapshots stay.
 */
export async function purgeEvidence(db: Db, opts: { now: Date; retentionDays: number }): Promise<PurgeResult> {
  const cutoff = new Date(opts.now.getTime() - opts.retentionDays * 86_400_000).toISOString();
  return db.transaction(async (tx0) => {
    const tx = tx0 as unknown as Db;
    await tx.execute(sql`select pg_advisory_xact_lock(${STORAGE_LOCK})`);
    const gone = (await tx.execute(sql`
      delete from evidence_runs e using runs r
      where r.id = e.run_id and r.created_at < ${cutoff}::timestamptz
        and r.status in ('completed', 'failed', 'interrupted')
        and not exists (select 1 from partner_latest pl where pl.run_id = e.run_id and pl.partner_id = e.partner_id)
        and not exists (select 1 from exports x where x.status = 'pending')
      returning e.doc_hash, e.request_layout`)) as unknown as {
      rows: { doc_hash: string | null; request_layout: string | null }[];
    };
    // Documents and request-id layouts only the purged rows pointed at (content-addressed: other runs may share one).
    const documents = await deleteUnreferenced(
      tx,
      'evidence_docs',
      'doc_hash',
      'text',
      gone.rows.map((r) => r.doc_hash),
    );
    const requestLayouts = await deleteUnreferenced(
      tx,
      'evidence_request_layouts',
      'request_layout',
      'uuid',
      gone.rows.map((r) => r.request_layout),
    );
    // Only the sets a run stopped pointing at since the last purge (noted by triggers, migration 0012) are looked at:
    // the cost follows what changed, not how much history there is. A candidate referenced again is just dropped.
    const sets = (await tx.execute(sql`
      with c as (delete from finding_set_orphans returning hash)
      delete from finding_sets s using c
      where s.hash = c.hash and not exists (select 1 from run_findings rf where rf.set_hash = s.hash)
      returning s.items`)) as unknown as { rows: { items: string[] | string }[] };
    const contents = await deleteOrphanContents(
      tx,
      sets.rows.flatMap((r) => uuids(r.items)),
    );
    return {
      evidenceRows: gone.rows.length,
      documents,
      findingSets: sets.rows.length,
      findingContents: contents,
      requestLayouts,
    };
  });
}

/** Deletes, of `hashes` in `table`, those no evidence row points at any more through `column`; returns how many. */
async function deleteUnreferenced(
  tx: Db,
  table: 'evidence_docs' | 'evidence_request_layouts',
  column: 'doc_hash' | 'request_layout',
  type: 'text' | 'uuid',
  hashes: (string | null)[],
): Promise<number> {
  const ids = [...new Set(hashes.filter((h): h is string => !!h))];
  if (!ids.length) return 0;
  const r = (await tx.execute(sql`
    delete from ${sql.identifier(table)} d where d.hash = any(${sql.param(ids)}::${sql.raw(type)}[])
      and not exists (select 1 from evidence_runs e where e.${sql.identifier(column)} = d.hash)
    returning d.hash`)) as unknown as { rows: unknown[] };
  return r.rows.length;
}

/** pg gives uuid[] back as an array, PGlite too; a '{a,b}' literal is read as well in case a driver sends text. */
const uuids = (v: string[] | string): string[] =>
  Array.isArray(v)
    ? v
    : v
        .replace(/^\{|\}$/g, '')
        .split(',')
        .filter(Boolean);

/**
 * Deletes, of the finding contents the deleted sets held, those no remaining set holds. Only sets sharing one of
 * them are read (`&&`), so a purge that removed nothing reads nothing.
 */
async function deleteOrphanContents(tx: Db, candidates: string[]): Promise<number> {
  const ids = [...new Set(candidates)];
  if (!ids.length) return 0;
  const r = (await tx.execute(sql`
    with c as (select unnest(${sql.param(ids)}::uuid[]) as hash),
    kept as (
      select distinct u.hash from finding_sets s cross join lateral unnest(s.items) as u(hash)
      where s.items && ${sql.param(ids)}::uuid[]
    )
    delete from finding_contents f using c
    where f.hash = c.hash and not exists (select 1 from kept where kept.hash = c.hash)
    returning f.hash`)) as unknown as { rows: unknown[] };
  return r.rows.length;
}
