/**
 * The bench seed's fast path for a payer collected again with nothing changed in its account: its rows of the day
 * before carried into the new run in a few set-based statements, in the shapes the product writes them.
 *
 * What the product stores for such a payer on a new day (recordOutcome, then scoring) differs from the day before
 * only in: the run, the collection time (each payer's own; the row's collected_at, from which the evidence view puts collectedAt
 * back), fresh AWS request ids (same layout, new UUIDs), the time the payer was last reached (ACCESS-LAST-SUCCESS's
 * message and evidence). So each carried row is the previous
 * one with the run changed, new request ids drawn, and the previous day's ISO time replaced by the new one; finding
 * contents and sets are hashed by the same SQL functions (finding_content_hash, content_hash) as the product's
 * finding store. _history.ts checks the result against the product path on sample payers every day.
 */
import type { Db } from '@payerguard/core';
import { sql } from 'drizzle-orm';

export interface Carry {
  runId: string;
  prevRunId: string;
  accountIds: string[];
  /** Per payer (same order): its previous and its new collection time, as ISO text (toISOString). */
  from: string[];
  to: string[];
}

/** The payers with their two times, as a relation m(account, f, t). */
const moves = (c: Carry) =>
  sql`unnest(${sql.param(c.accountIds)}::text[], ${sql.param(c.from)}::text[], ${sql.param(c.to)}::text[]) as m(account, f, t)`;

/** Outcome and evidence row of each unchanged payer (what recordOutcome writes, less what the next day drops). */
export async function carryOutcomes(db: Db, c: Carry): Promise<void> {
  if (!c.accountIds.length) return;
  const ids = sql.param(c.accountIds);
  await db.transaction(async (tx0) => {
    const tx = tx0 as unknown as Db;
    await tx.execute(sql`
      update run_payers n set status = p.status, error_code = p.error_code, error_message = p.error_message,
        call_stats = p.call_stats, finished_at = now()
      from run_payers p
      where n.run_id = ${c.runId} and p.run_id = ${c.prevRunId} and p.payer_account_id = n.payer_account_id
        and n.payer_account_id = any(${ids}::text[])`);
    await tx.execute(sql`
      update runs set
        collected = collected + (select count(*) from run_payers where run_id = ${c.runId} and payer_account_id = any(${ids}::text[]) and status = 'collected'),
        failed = failed + (select count(*) from run_payers where run_id = ${c.runId} and payer_account_id = any(${ids}::text[]) and status = 'failed')
      where id = ${c.runId}`);
    await tx.execute(sql`select pg_advisory_xact_lock_shared(hashtext('payerguard:content-store'))`);
    // The findings evaluated ahead are left out, and views not carried: the product drops those of a run once the
    // next run is scored (dropSpentEvaluations, prunePayerViews), so of all the days only the last one keeps them,
    // and the seed writes the last day whole through the product's own writers.
    await tx.execute(sql`
      insert into evidence_runs (run_id, payer_account_id, partner_id, collected_at, doc_hash, volatile, request_layout, request_ids, findings, evaluated_with)
      select ${c.runId}, e.payer_account_id, e.partner_id, m.t::timestamptz, e.doc_hash, e.volatile, e.request_layout,
             case when e.request_ids is null then null
                  else array(select gen_random_uuid() from generate_series(1, cardinality(e.request_ids))) end,
             null, e.evaluated_with
      from evidence_runs e join ${moves(c)} on m.account = e.payer_account_id
      where e.run_id = ${c.prevRunId}`);
  });
}

/**
 * Findings of each unchanged payer in the new run: its previous set with every finding whose message or evidence
 * holds the previous time re-addressed with the new one. Call after the run's persist step (which deletes a run's
 * findings before writing its own).
 */
export async function carryFindings(db: Db, c: Carry): Promise<void> {
  if (!c.accountIds.length) return;
  await db.transaction(async (tx0) => {
    const tx = tx0 as unknown as Db;
    await tx.execute(sql`select pg_advisory_xact_lock_shared(hashtext('payerguard:content-store'))`);
    await tx.execute(sql`
      with prev as (
        select rf.id, rf.partner_id, rf.payer_account_id, s.items, m.f, m.t
        from run_findings rf join finding_sets s on s.hash = rf.set_hash join ${moves(c)} on m.account = rf.payer_account_id
        where rf.run_id = ${c.prevRunId}
      ), items as (
        select p.id, p.partner_id, p.payer_account_id, p.f, p.t, u.ord, u.hash, c.control_id, c.resource, c.status,
               c.severity, c.title, c.message, c.evidence, c.suppression_id
        from prev p cross join lateral unnest(p.items) with ordinality as u(hash, ord)
        join finding_contents c on c.hash = u.hash
      ), moved as (
        select i.id, i.ord, i.control_id, i.resource, i.status, i.severity, i.title, i.suppression_id,
               replace(i.message, i.f, i.t) as message, replace(i.evidence::text, i.f, i.t)::jsonb as evidence
        from items i where strpos(i.message, i.f) > 0 or strpos(i.evidence::text, i.f) > 0
      ), mh as (
        select m.*, finding_content_hash(m.control_id, m.resource, m.status, m.severity, m.title, m.message, m.evidence, m.suppression_id) as hash
        from moved m
      ), contents as (
        insert into finding_contents (hash, control_id, resource, status, severity, title, message, evidence, suppression_id)
        select distinct on (hash) hash, control_id, resource, status, severity, title, message, evidence, suppression_id from mh
        on conflict do nothing
      ), sets as (
        select i.id, i.partner_id, i.payer_account_id, array_agg(coalesce(mh.hash, i.hash) order by i.ord) as items
        from items i left join mh on mh.id = i.id and mh.ord = i.ord
        group by i.id, i.partner_id, i.payer_account_id
      ), h as (
        select sets.*, content_hash(array_to_string(items, ',')) as set_hash from sets
      ), stored as (
        insert into finding_sets (hash, items, size)
        select distinct on (set_hash) set_hash, items, cardinality(items) from h
        on conflict do nothing
      )
      insert into run_findings (run_id, partner_id, payer_account_id, set_hash)
      select ${c.runId}, partner_id, payer_account_id, set_hash from h order by id`);
  });
}
