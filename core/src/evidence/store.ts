import { sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { lockStoreShared } from './retention.js';
import type { PayerEvidence } from './types.js';

/**
 * Evidence is stored once per distinct document (`evidence_docs`, addressed by the database's content_hash of the
 * jsonb text); each run keeps one small `evidence_runs` row pointing at it. What differs on every collection even
 * when nothing in the account changed (the collection time, AWS request ids) is kept out of the shared document, in
 * the row's `volatile` map, and put back by the `evidence` view (SQL function evidence_join).
 */

/** Path separator in `volatile` keys (U+001F: never part of a JSON key we write). */
const SEP = '\u001f';

export interface SplitEvidence {
  doc: Record<string, unknown>;
  volatile: Record<string, unknown>;
}

/** Separates the document shared across runs from what changes on every collection. */
export function splitEvidence(ev: PayerEvidence): SplitEvidence {
  const volatile: Record<string, unknown> = {};
  const walk = (v: unknown, path: string[]): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, String(i)]));
    if (!v || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'requestIds' && Array.isArray(x)) {
        volatile[[...path, k].join(SEP)] = x;
        continue;
      }
      out[k] = walk(x, [...path, k]);
    }
    return out;
  };
  const { collectedAt, ...rest } = ev;
  const doc = walk(rest, []) as Record<string, unknown>;
  volatile.collectedAt = collectedAt;
  return { doc, volatile };
}

export interface EvidenceWrite {
  runId: string;
  payerAccountId: string;
  partnerId: string;
  evidence: PayerEvidence;
  /** Findings the payer job evaluated, and the fingerprint they were evaluated with. */
  findings?: unknown[] | null;
  evaluatedWith?: string | null;
}

/**
 * Writes evidence rows in one statement (unnest), storing each new document once. A (run, payer) already recorded
 * is left as it is. Call inside a transaction (the shared storage lock is held until it ends).
 */
export async function writeEvidence(db: Db, rows: EvidenceWrite[]): Promise<void> {
  if (!rows.length) return;
  await lockStoreShared(db);
  const split = rows.map((r) => splitEvidence(r.evidence));
  const col = <T>(f: (r: EvidenceWrite, i: number) => T) => sql.param(rows.map(f));
  await db.execute(sql`
    with t as (
      select * from unnest(
        ${col((r) => r.runId)}::text[], ${col((r) => r.payerAccountId)}::text[], ${col((r) => r.partnerId)}::text[],
        ${col((r) => r.evidence.collectedAt)}::timestamptz[], ${col((_, i) => JSON.stringify(split[i]!.doc))}::text[],
        ${col((_, i) => JSON.stringify(split[i]!.volatile))}::text[],
        ${col((r) => (r.findings ? JSON.stringify(r.findings) : null))}::text[], ${col((r) => r.evaluatedWith ?? null)}::text[]
      ) as t(run_id, payer_account_id, partner_id, collected_at, doc, volatile, findings, evaluated_with)
    ), h as (
      select t.*, t.doc::jsonb as data, content_hash(t.doc::jsonb::text) as hash from t
    ), docs as (
      insert into evidence_docs (hash, data, size_bytes)
      select distinct on (hash) hash, data, octet_length(data::text) from h
      on conflict do nothing
    )
    insert into evidence_runs (run_id, payer_account_id, partner_id, collected_at, doc_hash, volatile, findings, evaluated_with)
    select run_id, payer_account_id, partner_id, collected_at, hash, volatile::jsonb, findings::jsonb, evaluated_with from h
    on conflict do nothing`);
}
