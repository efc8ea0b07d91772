import type { Db } from './index.js';

interface PgPoolLike {
  query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
  totalCount: number;
}
interface PgliteLike {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

/** PostgreSQL over a pool (the network), not PGlite in this process: answers cross a socket as text. */
export const overNetwork = (db: Db): boolean => 'totalCount' in (db.$client as PgPoolLike | PgliteLike);

/**
 * A hot read as a named prepared statement: PostgreSQL parses it once per connection instead of on every request
 * (planning was 1.3 ms of a 2 ms drill-down fingerprint). After five runs it keeps one generic plan, unless a
 * parameter's value changes the estimates (an array's length does): then it plans every run again, so hide such a
 * parameter behind a sub-select (`(select $1::text[])`). PGlite lives in this process and takes the text as it is.
 * `text` uses $1.. placeholders; the name must be unique to the text.
 */
export async function queryPrepared<T>(db: Db, name: string, text: string, values: unknown[]): Promise<T[]> {
  const client = db.$client as PgPoolLike | PgliteLike;
  if ('totalCount' in client) return (await client.query({ name, text, values })).rows as T[];
  return (await (client as PgliteLike).query(text, values)).rows as T[];
}
