import { sql } from 'drizzle-orm';
import type { Finding } from '../controls/types.js';
import type { Db } from '../db/index.js';

/**
 * A run's findings are stored as one `run_findings` row per payer pointing at a content-addressed `finding_sets` row
 * (the payer's findings in order, as hashes of `finding_contents`): a payer whose findings did not change adds one
 * small row per run, a changed finding adds its content once. The `findings` view reads them back as rows.
 */

/** Findings per statement: a payer's findings are never split across statements (its set is hashed whole). */
const CHUNK = 5_000;

/** Writes a run's findings in scoring order (the order the `findings` view's id gives back). */
export async function writeRunFindings(db: Db, runId: string, findings: Finding[]): Promise<void> {
  // Group by payer, keeping the order payers first appear in (the scored order).
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const k = `${f.partnerId}\u001f${f.payerAccountId}`;
    const g = groups.get(k);
    if (g) g.push(f);
    else groups.set(k, [f]);
  }
  let batch: Finding[] = [];
  for (const g of groups.values()) {
    if (batch.length && batch.length + g.length > CHUNK) {
      await writeChunk(db, runId, batch);
      batch = [];
    }
    batch = batch.concat(g);
  }
  await writeChunk(db, runId, batch);
}

async function writeChunk(db: Db, runId: string, rows: Finding[]): Promise<void> {
  if (!rows.length) return;
  const col = <T>(f: (r: Finding) => T) => sql.param(rows.map(f));
  await db.execute(sql`
    with t as (
      select * from unnest(
        ${col((r) => r.partnerId)}::text[], ${col((r) => r.payerAccountId)}::text[], ${sql.param(rows.map((_, i) => i))}::int[],
        ${col((r) => r.controlId)}::text[], ${col((r) => r.resource)}::text[], ${col((r) => r.status)}::text[],
        ${col((r) => r.severity)}::text[], ${col((r) => r.title)}::text[], ${col((r) => r.message)}::text[],
        ${col((r) => JSON.stringify(r.evidence ?? {}))}::text[], ${col((r) => r.suppressionId ?? null)}::text[]
      ) as t(partner_id, payer_account_id, ord, control_id, resource, status, severity, title, message, evidence, suppression_id)
    ), c as (
      select t.*, t.evidence::jsonb as ev,
             finding_content_hash(t.control_id, t.resource, t.status, t.severity, t.title, t.message, t.evidence::jsonb, t.suppression_id) as hash
      from t
    ), contents as (
      insert into finding_contents (hash, control_id, resource, status, severity, title, message, evidence, suppression_id)
      select distinct on (hash) hash, control_id, resource, status, severity, title, message, ev, suppression_id from c
      on conflict do nothing
    ), s as (
      select partner_id, payer_account_id, min(ord) as first, array_agg(hash order by ord) as items
      from c group by partner_id, payer_account_id
    ), h as (
      select s.*, content_hash(array_to_string(items, ',')) as set_hash from s
    ), sets as (
      insert into finding_sets (hash, items, size)
      select distinct on (set_hash) set_hash, items, cardinality(items) from h
      on conflict do nothing
    )
    insert into run_findings (run_id, partner_id, payer_account_id, set_hash)
    select ${runId}, partner_id, payer_account_id, set_hash from h order by first`);
}

/** Removes a run's findings (before it is scored again); the shared sets and contents stay for other runs. */
export async function deleteRunFindings(db: Db, runId: string): Promise<void> {
  await db.execute(sql`delete from run_findings where run_id = ${runId}`);
}
