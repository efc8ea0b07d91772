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
