import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { installRoot } from '../install-root.js';
import * as schema from './schema.js';

/** Shared buffers of the embedded database (see openDatabase). */
const PGLITE_SHARED_BUFFERS = '32MB';

export { schema };

// biome-ignore lint/suspicious/noExplicitAny: the two drivers' result kinds differ; queries are written once for both.
export type Db = PgDatabase<PgQueryResultHKT, typeof schema> & { $client: any };

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Runs pending migrations (idempotent). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

const migrationsFolder = join(installRoot(import.meta.url), 'core', 'drizzle');

export interface OpenOptions {
  /** postgres://... ; unset means embedded PGlite. */
  databaseUrl?: string;
  /** Where PGlite keeps its files; "memory://" for an in-memory database (tests). */
  dataDir?: string;
  /** Postgres schema to use (tests isolate themselves in their own schema). */
  searchPath?: string;
  /** Postgres only: a fresh schema of its own (`searchPath` is then ignored), dropped again by close(). */
  scratch?: boolean;
  /** Postgres only: told about an idle pooled connection that broke (a restart, a failover); the pool replaces it. */
  onConnectionError?: (err: Error) => void;
  /**
   * Postgres only: the server cancels any one statement of this pool's after this long (SQLSTATE 57014), so a
   * statement stuck behind a lock gives its connection back instead of holding it for as long as the lock lasts.
   * Migrations run on a connection of their own without it. Unset or 0: no limit.
   */
  statementTimeoutMs?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl && opts.scratch) {
    const searchPath = `t_${randomBytes(6).toString('hex')}`;
    const database = await openDatabase({ ...opts, searchPath, scratch: false });
    return {
      ...database,
      close: async () => {
        // One simple-protocol round trip: the drop runs without a statement timeout the pool may have.
        await database.db.$client.query(
          `begin; set local statement_timeout = 0; drop schema if exists "${searchPath}" cascade; commit;`,
        );
        await database.close();
      },
    };
  }
  if (opts.databaseUrl) {
    const connection = {
      connectionString: opts.databaseUrl,
      // While the server is gone a query fails after this long instead of waiting for ever, so the API can say 503.
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      ...(opts.searchPath ? { options: `-c search_path=${opts.searchPath}` } : {}),
    };
    const timeout = opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {};
    const pool = new pg.Pool({ ...connection, ...timeout, max: 10 });
    // An idle client whose server went away emits 'error' on the pool; unhandled, that event kills the process.
    pool.on('error', (err) => opts.onConnectionError?.(err));
    // A client checked out (inside a transaction, between two queries) emits 'error' on itself, where the pool no
    // longer listens: listen on every client for its whole life. The query in flight still fails, and is retried.
    pool.on('connect', (client) => client.on('error', (err) => opts.onConnectionError?.(err)));
    // Fail fast with a clear message rather than on the first query.
    const client = await pool.connect().catch((err: Error) => {
      throw new Error(`DATABASE_URL: cannot connect to Postgres (${err.message})`);
    });
    if (opts.searchPath)
      await client.query(
        `begin; set local statement_timeout = 0; create schema if not exists "${opts.searchPath}"; commit;`,
      );
    client.release();
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      migrate: async () => {
        const migrations = {
          migrationsFolder,
          ...(opts.searchPath ? { migrationsSchema: opts.searchPath } : {}),
        };
        if (!opts.statementTimeoutMs) return migratePg(db as never, migrations);
        // A migration may rewrite a year of history: it runs without the pool's statement timeout.
        const own = new pg.Pool({ ...connection, max: 1 });
        try {
          await migratePg(drizzlePg(own, { schema }) as never, migrations);
        } finally {
          await own.end();
        }
      },
      close: () => pool.end(),
    };
  }
  const dir = opts.dataDir ?? '.data';
  let dataDir: string | undefined;
  if (dir.startsWith('memory://')) dataDir = undefined;
  else {
    dataDir = join(dir, 'pglite');
    mkdirSync(dataDir, { recursive: true });
  }
  // PostgreSQL's default 128 MB of shared buffers is WASM memory that PGlite touches and never gives back: ~130 MB of
  // the embedded process's RSS. The data directory's pages stay in the OS page cache, so 32 MB costs little speed.
  const pgliteOptions = { postgresqlconf: `shared_buffers = ${PGLITE_SHARED_BUFFERS}` };
  // Creating a cluster (initdb) leaves ~300 MB of WASM memory behind in the instance that ran it: a new data folder is
  // initialised by a first instance that is closed and dropped, and the one kept is opened on the finished folder.
  if (dataDir && !existsSync(join(dataDir, 'PG_VERSION'))) await (await PGlite.create(dataDir, pgliteOptions)).close();
  const client = dataDir ? await PGlite.create(dataDir, pgliteOptions) : await PGlite.create(pgliteOptions);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    migrate: () => migratePglite(db as never, { migrationsFolder }),
    close: () => client.close(),
  };
}
