import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CONTROL_METADATA } from '../../controls/all-controls.js';
import type { Db } from '../../db/index.js';
import { overNetwork, queryPrepared } from '../../db/prepared.js';
import { PAYER_VIEW_SCHEMA_VERSION } from '../payer-view.js';
import { DRILLDOWN_HISTORY_DEFAULT, drilldownFromRows, type PartnerDrilldown } from './build.js';
import { clockBoundary, fingerprintColumns, fingerprintOf } from './fingerprint.js';
import { readDrilldownRows } from './rows.js';

/**
 * Drill-downs kept as the bytes the API answers with (table drilldown_bodies, migration 0011). The run's parent job
 * builds every scored partner's after scoring (`warmDrilldowns`), and the API stores one when it had to build it, so
 * the first look at a partner after a run is one indexed read in any API process, not a build. Only the default
 * history length is kept; other lengths are built on request.
 */

/** Staff see spend; a partner viewer's body never holds it, and the variant is part of every key. */
export type DrilldownVariant = 'staff' | 'viewer';
export const variantFor = (spend: boolean): DrilldownVariant => (spend ? 'staff' : 'viewer');

/**
 * The release's body format: a body built from other control texts or another payer-view shape is never served.
 * Bump `BODY_SHAPE` when the body's own shape changes.
 */
const BODY_SHAPE = 1;
export const DRILLDOWN_FORMAT = createHash('sha256')
  .update(JSON.stringify({ BODY_SHAPE, PAYER_VIEW_SCHEMA_VERSION, controls: [...CONTROL_METADATA.values()] }))
  .digest('hex')
  .slice(0, 16);

export interface DrilldownBody {
  /** The serialized drill-down, gzipped: browsers take it as it is (Content-Encoding: gzip). */
  gzip: Buffer;
  /** Epoch ms from which the clock alone makes it stale (Infinity: never). */
  validUntil: number;
}

/** The drill-down serialized and gzipped, with the moment the clock alone will change it. */
export function serializeDrilldown(d: PartnerDrilldown, now: number): DrilldownBody {
  return { gzip: gzipSync(JSON.stringify(d)), validUntil: clockBoundary(d, now) };
}

/** The JSON text of a body, for a client that does not take gzip. */
export const drilldownJson = (b: Pick<DrilldownBody, 'gzip'>): string => gunzipSync(b.gzip).toString('utf8');

/** pg gives bytea as a Buffer, PGlite as a Uint8Array. */
const asBuffer = (v: Uint8Array): Buffer =>
  Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** A fresh build, or null when there is no such partner. */
export async function buildDrilldownBody(
  db: Db,
  partnerId: string,
  o: { spend: boolean; historyLimit: number; now: Date },
): Promise<DrilldownBody | null> {
  const rows = await readDrilldownRows(db, partnerId, { historyLimit: o.historyLimit, now: o.now });
  return (
    rows &&
    serializeDrilldown(
      drilldownFromRows(rows, { catalogue: CONTROL_METADATA, spend: o.spend, now: o.now }),
      o.now.getTime(),
    )
  );
}

// One row per asked partner, `n` its place in the lists (rows come in any order: sorting them would copy every body
// once more). The fingerprint is computed once per partner (materialized: PostgreSQL otherwise inlines it into the
// join and evaluates its subqueries twice). The lists are behind sub-selects so that their length does not change the
// plan's estimates: PostgreSQL then keeps one generic plan instead of planning every run again (0.3 ms of its CPU a
// query). Over the network the body comes as base64: two thirds of the bytes of bytea's hex text, and under half the
// time to decode. PGlite hands the bytes over as they are.
const checkSql = (body: string) => `
  with q as (
    select * from unnest((select $1::text[]), (select $2::text[]), (select $5::text[])) with ordinality as q(id, variant, held, n)
  ),
  fp as materialized (select q.n, q.id, q.variant, q.held, ${fingerprintColumns('q.id')} from q)
  select fp.n, fp.partner, fp.rest, ${body} as body, extract(epoch from b.valid_until) * 1000 as valid_until
  from fp left join drilldown_bodies b
    on fp.variant is not null and b.partner_id = fp.id and b.variant = fp.variant and b.format = $3
   and b.fingerprint = fp.partner || ':' || fp.rest
   and (b.valid_until is null or b.valid_until > $4::timestamptz)
   and b.fingerprint is distinct from fp.held`;
const CHECK_SQL_NETWORK = checkSql(`encode(b.body_gzip, 'base64')`);
const CHECK_SQL_EMBEDDED = checkSql('b.body_gzip');

export interface DrilldownCheckRequest {
  partnerId: string;
  /** The stored variant wanted, or null when only the fingerprint is (a history length that is never stored). */
  variant: DrilldownVariant | null;
  /** The fingerprint of the body the caller already holds: its stored copy is not sent again. */
  held: string | null;
}
export interface DrilldownCheck {
  fingerprint: string;
  stored: DrilldownBody | null;
}

/**
 * For each request, in order: the partner's current fingerprint and, when a variant is asked and the caller does not
 * already hold the body of that fingerprint, the stored body that is still current. Null for a partner that does not
 * exist. One query however many partners (the API reads the drill-downs asked for at the same moment together).
 */
export async function checkDrilldowns(
  db: Db,
  requests: readonly DrilldownCheckRequest[],
  now: Date,
): Promise<(DrilldownCheck | null)[]> {
  const rows = await queryPrepared<{
    n: string | number;
    partner: string | null;
    rest: string | null;
    body: string | Uint8Array | null;
    valid_until: string | number | null;
  }>(db, 'drilldown_check_v6', overNetwork(db) ? CHECK_SQL_NETWORK : CHECK_SQL_EMBEDDED, [
    requests.map((r) => r.partnerId),
    requests.map((r) => r.variant),
    DRILLDOWN_FORMAT,
    now.toISOString(),
    requests.map((r) => r.held),
  ]);
  const out: (DrilldownCheck | null)[] = requests.map(() => null);
  for (const r of rows) {
    const fingerprint = fingerprintOf(r);
    if (!fingerprint) continue;
    const stored =
      r.body == null
        ? null
        : {
            gzip: typeof r.body === 'string' ? Buffer.from(r.body, 'base64') : asBuffer(r.body),
            validUntil: r.valid_until == null ? Number.POSITIVE_INFINITY : Number(r.valid_until),
          };
    out[Number(r.n) - 1] = { fingerprint, stored };
  }
  return out;
}

/** `checkDrilldowns` for one partner. */
export async function checkDrilldown(
  db: Db,
  partnerId: string,
  o: { variant: DrilldownVariant | null; held: string | null; now: Date },
): Promise<DrilldownCheck | null> {
  const [r] = await checkDrilldowns(db, [{ partnerId, variant: o.variant, held: o.held }], o.now);
  return r ?? null;
}

/** Keeps a body built from rows read after `fingerprint` was taken; a partner deleted meanwhile keeps nothing. */
export async function storeDrilldown(
  db: Db,
  partnerId: string,
  variant: DrilldownVariant,
  fingerprint: string,
  b: DrilldownBody,
): Promise<void> {
  await queryPrepared(
    db,
    'drilldown_store_v2',
    `insert into drilldown_bodies (partner_id, variant, format, fingerprint, valid_until, body_gzip)
     select $1, $2, $3, $4, $5::timestamptz, $6::bytea where exists (select 1 from partners where id = $1)
     on conflict (partner_id, variant) do update set format = excluded.format, fingerprint = excluded.fingerprint,
       valid_until = excluded.valid_until, body_gzip = excluded.body_gzip, built_at = now()`,
    [
      partnerId,
      variant,
      DRILLDOWN_FORMAT,
      fingerprint,
      Number.isFinite(b.validUntil) ? new Date(b.validUntil).toISOString() : null,
      b.gzip,
    ],
  );
}

/**
 * Builds and stores both variants of each partner's drill-down (default history), reading its rows once. Called by
 * the run's parent job once the run is scored. A partner that fails (deleted meanwhile, say) is skipped: the API
 * builds its page on request. Returns how many partners were stored.
 */
export async function warmDrilldowns(
  db: Db,
  partnerIds: readonly string[],
  o: { concurrency?: number; onError?: (partnerId: string, err: unknown) => void } = {},
): Promise<number> {
  let next = 0;
  let stored = 0;
  const one = async (partnerId: string) => {
    const now = new Date();
    const check = await checkDrilldown(db, partnerId, { variant: null, held: null, now });
    if (!check) return;
    const rows = await readDrilldownRows(db, partnerId, { historyLimit: DRILLDOWN_HISTORY_DEFAULT, now });
    if (!rows) return;
    for (const spend of [true, false]) {
      const b = serializeDrilldown(drilldownFromRows(rows, { catalogue: CONTROL_METADATA, spend, now }), now.getTime());
      await storeDrilldown(db, partnerId, variantFor(spend), check.fingerprint, b);
    }
    stored++;
  };
  const lane = async () => {
    while (next < partnerIds.length) {
      const id = partnerIds[next++]!;
      await one(id).catch((err: unknown) => o.onError?.(id, err));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 4) }, lane));
  return stored;
}
