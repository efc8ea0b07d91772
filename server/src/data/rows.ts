import type { Db } from '@payerguard/core';
import type { SQL } from 'drizzle-orm';

/** Raw SQL rows on either driver (node-postgres and PGlite both answer with `.rows`). */
export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const r = (await db.execute(query)) as unknown as { rows: T[] };
  return r.rows;
}

export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
