import { sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { lockStoreShared } from './retention.js';
import type { PayerEvidence } from './types.js';

/**
 * Evidence is stored once per distinct document (`evidence_docs`, addressed by the database's content_hash of the
 * jsonb text); each run keeps one small `evidence_runs` row pointing at it. What differs on every collection even
 * when nothing in the account changed is kept out of the shared document and put back by the `evidence` view (SQL
 * function evidence_assemble, migration 0010): the AWS request ids as a uuid[] (16 bytes an id; they are the audit
 * trail that each call was made, so every run keeps its own) placed by a layout stored once
 * (`evidence_request_layouts`), anything else in the row's small `volatile` map, the collection time from the row.
 */

/** Path separator in `volatile` keys and layout paths (U+001F: never part of a JSON key we write). */
const SEP = '\u001f';

/** AWS request ids as the services we call send them; only these are kept as uuid (they read back as the same text). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface SplitEvidence {
  doc: Record<string, unknown>;
  /** Path -> value of what is neither shared nor compact: request ids that are not UUIDs, an unusual collectedAt. */
  volatile: Record<string, unknown>;
  /** [path, how many ids] in document order: where `requestIds` go back. The same on most runs, so stored once. */
  layout: [string, number][];
  /** The UUID request ids of every path in `layout`, concatenated in its order. */
  requestIds: string[];
}

/**
 * Separates the document shared across runs from what changes on every collection: the request ids (kept as UUIDs
 * with their layout when they are UUIDs, else in `volatile`) and the collection time (left out when it is the
 * canonical ISO text of the row's collected_at, which the evidence view puts back).
 */
export function splitEvidence(ev: PayerEvidence): SplitEvidence {
  const volatile: Record<string, unknown> = {};
  const layout: [string, number][] = [];
  const requestIds: string[] = [];
  const walk = (v: unknown, path: string[]): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, String(i)]));
    if (!v || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'requestIds' && Array.isArray(x)) {
        const key = [...path, k].join(SEP);
        if (x.every((id) => typeof id === 'string' && UUID.test(id))) {
          layout.push([key, x.length]);
          requestIds.push(...(x as string[]));
        } else volatile[key] = x;
        continue;
      }
      out[k] = walk(x, [...path, k]);
    }
    return out;
  };
  const { collectedAt, ...rest } = ev;
  const doc = walk(rest, []) as Record<string, unknown>;
  if (!isCanonicalInstant(collectedAt)) volatile.collectedAt = collectedAt;
  return { doc, volatile, layout, requestIds };
}

/** True when the text is exactly what the database gives back for that instant (JavaScript's toISOString). */
function isCanonicalInstant(t: unknown): boolean {
  if (typeof t !== 'string') return false;
  const d = new Date(t);
  return !Number.isNaN(d.getTime()) && d.toISOString() === t;
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
  // uuid[][] cannot be ragged, so each row's ids travel as one '{...}' literal, cast per row.
  const ids = (s: SplitEvidence) => `{${s.requestIds.join(',')}}`;
  const volatile = (s: SplitEvidence) => (Object.keys(s.volatile).length ? JSON.stringify(s.volatile) : null);
  const layout = (s: SplitEvidence) => (s.layout.length ? JSON.stringify(s.layout) : null);
  await db.execute(sql`
    with t as (
      select * from unnest(
        ${col((r) => r.runId)}::text[], ${col((r) => r.payerAccountId)}::text[], ${col((r) => r.partnerId)}::text[],
        ${col((r) => r.evidence.collectedAt)}::timestamptz[], ${col((_, i) => JSON.stringify(split[i]!.doc))}::text[],
        ${col((_, i) => volatile(split[i]!))}::text[], ${col((_, i) => layout(split[i]!))}::text[],
        ${col((_, i) => ids(split[i]!))}::text[],
        ${col((r) => (r.findings ? JSON.stringify(r.findings) : null))}::text[], ${col((r) => r.evaluatedWith ?? null)}::text[]
      ) as t(run_id, payer_account_id, partner_id, collected_at, doc, volatile, layout, ids, findings, evaluated_with)
    ), h as (
      select t.*, t.doc::jsonb as data, content_hash(t.doc::jsonb::text) as hash, t.layout::jsonb as paths,
             substr(content_hash(t.layout::jsonb::text), 1, 32)::uuid as layout_hash
      from t
    ), docs as (
      insert into evidence_docs (hash, data, size_bytes)
      select distinct on (hash) hash, data, octet_length(data::text) from h
      on conflict do nothing
    ), layouts as (
      insert into evidence_request_layouts (hash, paths)
      select distinct on (layout_hash) layout_hash, paths from h where layout_hash is not null
      on conflict do nothing
    )
    insert into evidence_runs (run_id, payer_account_id, partner_id, collected_at, doc_hash, volatile, request_layout, request_ids, findings, evaluated_with)
    select run_id, payer_account_id, partner_id, collected_at, hash, volatile::jsonb, layout_hash, ids::uuid[], findings::jsonb, evaluated_with from h
    on conflict do nothing`);
}
