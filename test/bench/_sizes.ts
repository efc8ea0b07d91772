/**
 * Database size, measured without naming any table: every relation of the schema the connection works in (heap,
 * TOAST and indexes), and the whole database as PostgreSQL counts it. Works the same on PGlite.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '@payerguard/core';
import { sql } from 'drizzle-orm';

export async function databaseBytes(db: Db): Promise<{ relations: number; database: number }> {
  const r = (await db.execute(sql`
    select coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint as relations,
      pg_database_size(current_database())::bigint as database
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'm')`)) as unknown as {
    rows: { relations: string | number; database: string | number }[];
  };
  const row = r.rows[0]!;
  return { relations: Number(row.relations), database: Number(row.database) };
}

/** Bytes of every file under `dir` (PGlite's data folder, WAL included). */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await directoryBytes(p);
    else if (e.isFile()) total += (await stat(p)).size;
  }
  return total;
}

export interface TableBytes {
  heap: number;
  toast: number;
  indexes: number;
  rows: number;
}

/** Every table of the schema: heap (main fork and its maps), TOAST (with its index), its indexes, live rows. */
export async function tableBytes(db: Db): Promise<Record<string, TableBytes>> {
  const r = (await db.execute(sql`
    select c.relname as name,
      (pg_relation_size(c.oid, 'main') + pg_relation_size(c.oid, 'fsm') + pg_relation_size(c.oid, 'vm'))::bigint as heap,
      coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0)::bigint as toast,
      pg_indexes_size(c.oid)::bigint as indexes,
      coalesce(s.n_live_tup, 0)::bigint as rows
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    left join pg_stat_user_tables s on s.relid = c.oid
    where n.nspname = current_schema() and c.relkind = 'r'`)) as unknown as {
    rows: { name: string; heap: string; toast: string; indexes: string; rows: string }[];
  };
  return Object.fromEntries(
    r.rows.map((x) => [
      x.name,
      { heap: Number(x.heap), toast: Number(x.toast), indexes: Number(x.indexes), rows: Number(x.rows) },
    ]),
  );
}

/**
 * Growth per table between two measurements, per day and per partner-day (bytes), largest first; tables that did
 * not grow are left out.
 */
export function growthPerDay(
  before: Record<string, TableBytes>,
  after: Record<string, TableBytes>,
  days: number,
  partners: number,
): Record<string, { heap: number; toast: number; indexes: number; rows: number; perPartnerDay: number }> {
  const out: [string, { heap: number; toast: number; indexes: number; rows: number; perPartnerDay: number }][] = [];
  for (const [name, a] of Object.entries(after)) {
    const b = before[name] ?? { heap: 0, toast: 0, indexes: 0, rows: 0 };
    const d = (k: keyof TableBytes) => Math.round((a[k] - b[k]) / days);
    const total = a.heap + a.toast + a.indexes - (b.heap + b.toast + b.indexes);
    if (total <= 0) continue;
    out.push([
      name,
      {
        heap: d('heap'),
        toast: d('toast'),
        indexes: d('indexes'),
        rows: d('rows'),
        perPartnerDay: Math.round(total / days / partners),
      },
    ]);
  }
  return Object.fromEntries(out.sort((x, y) => y[1].perPartnerDay - x[1].perPartnerDay));
}
