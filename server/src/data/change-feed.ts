import { randomBytes } from 'node:crypto';
import type { Db, Logger } from '@payerguard/core';
import pg from 'pg';

/**
 * What this API process has heard of the database's commits (the notices of migration 0014), so it can keep answers
 * in memory and serve them without a read per request: a drill-down's bytes, a session's principal.
 *
 * A reader takes a `stamp()` before it reads, and keeps what it read with that stamp; the kept answer is current while
 * `unchanged(stamp, keys)` says so. That holds only while the feed is live: its connection is listening and its own
 * heartbeat notice came back recently. Notices arrive in commit order, so once a heartbeat sent after some commit comes
 * back, that commit's notices have been heard. When the connection breaks or a heartbeat is late, every stamp taken
 * before is void and readers go to the database each time until the feed listens again.
 *
 * What it promises: an answer kept here is at most as old as the delivery of one notice (normally well under a
 * millisecond; never more than `staleAfterMs`, the heartbeat bound), and a process that wrote something has heard it
 * before that request is answered (`sync()`, called after every write request: app.ts).
 */
export interface Stamp {
  readonly epoch: number;
  readonly seq: number;
}

interface Listener {
  /** Sends a notice on the channel (the heartbeat). */
  notify(payload: string): Promise<void>;
  close(): Promise<void>;
  /**
   * The embedded database (PGlite) lives in this process and hands over a commit's notices before the committing query
   * returns: nothing to lose in between, so no heartbeat bound (a long transaction there delays every query, pings too).
   */
  inProcess: boolean;
}

export interface ChangeFeedOptions {
  logger?: Logger;
  heartbeatMs?: number;
  /** A heartbeat not back within this long voids every stamp and reconnects. */
  staleAfterMs?: number;
}

/** Keys heard of since the last reset; past this, the feed forgets them all (and every stamp with them). */
const MAX_KEYS = 100_000;

export class ChangeFeed {
  private epoch = 0;
  private seq = 0;
  private readonly changedAt = new Map<string, number>();
  private listener: Listener | null = null;
  private connecting = false;
  private closed = false;
  /** When the latest heartbeat that came back was sent. */
  private heardAt = 0;
  private readonly nonce = randomBytes(6).toString('hex');
  /** The listening connection's application_name (pg_stat_activity): one per process. */
  readonly connectionName = `payerguard-change-feed-${this.nonce}`;
  private pings = 0;
  /** Heartbeats sent and not back yet: when each was sent, and who waits for it. */
  private readonly pending = new Map<number, { at: number; back: () => void }>();
  private timer: NodeJS.Timeout | undefined;
  private warnedAt = Number.NEGATIVE_INFINITY;
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;

  private constructor(
    private readonly db: Db,
    private readonly o: ChangeFeedOptions,
  ) {
    this.heartbeatMs = o.heartbeatMs ?? 1_000;
    this.staleAfterMs = o.staleAfterMs ?? 3_000;
  }

  /** Starts listening; never throws (a database it cannot reach leaves the feed not live, and it keeps trying). */
  static async open(db: Db, o: ChangeFeedOptions = {}): Promise<ChangeFeed> {
    const feed = new ChangeFeed(db, o);
    await feed.connect();
    feed.timer = setInterval(() => feed.tick(), feed.heartbeatMs);
    feed.timer.unref();
    return feed;
  }

  /** Whether answers may be kept now: listening, and the last heartbeat back within the bound. */
  get live(): boolean {
    const l = this.listener;
    return l !== null && (l.inProcess || performance.now() - this.heardAt < this.staleAfterMs);
  }

  /** Take before reading; null when nothing read now may be kept as current. */
  stamp(): Stamp | null {
    return this.live ? { epoch: this.epoch, seq: this.seq } : null;
  }

  /** Whether nothing under `keys` has changed since `stamp` was taken (and the feed has been live throughout). */
  unchanged(stamp: Stamp | null | undefined, ...keys: string[]): boolean {
    if (!stamp || stamp.epoch !== this.epoch || !this.live) return false;
    for (const k of keys) if ((this.changedAt.get(k) ?? 0) > stamp.seq) return false;
    return true;
  }

  /**
   * Resolves once every notice committed before this call has been heard (a heartbeat sent now came back), or once the
   * feed is found broken (which voids every stamp: nothing kept is served then). At once when it is not listening.
   */
  sync(): Promise<void> {
    return this.ping();
  }

  /** sync()'s work, and the heartbeat's: kept apart so that sync() means "a request asked". */
  private async ping(): Promise<void> {
    const l = this.listener;
    if (!l) return;
    const n = ++this.pings;
    const back = new Promise<void>((ok) => this.pending.set(n, { at: performance.now(), back: ok }));
    try {
      await l.notify(JSON.stringify(['ping', this.nonce, n]));
    } catch (err) {
      this.lost(l, err);
    }
    await back;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const l = this.listener;
    if (l) this.lost(l, null);
    await l?.close().catch(() => {});
  }

  private heard(payload: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(payload);
    } catch {
      msg = null;
    }
    if (!Array.isArray(msg)) {
      this.forgetAll();
      return;
    }
    const [kind, a, b] = msg as [unknown, unknown, unknown];
    if (kind === 'ping') {
      // Another process's heartbeat; ours come back in the order they were sent, as every notice does.
      if (a !== this.nonce || typeof b !== 'number') return;
      for (const [n, p] of this.pending)
        if (n <= b) {
          this.heardAt = Math.max(this.heardAt, p.at);
          this.pending.delete(n);
          p.back();
        }
      return;
    }
    // "Anything may have changed", a notice this release does not know, or more keys than it keeps: forget them all.
    if (typeof kind !== 'string' || kind === '*' || !Array.isArray(a) || this.changedAt.size + a.length > MAX_KEYS) {
      this.forgetAll();
      return;
    }
    this.seq++;
    for (const id of a) this.changedAt.set(`${kind}:${String(id)}`, this.seq);
  }

  /** Voids every stamp taken so far. */
  private forgetAll(): void {
    this.epoch++;
    this.changedAt.clear();
  }

  /** `l` broke (or is being closed: err null): nothing kept under it is current any more. */
  private lost(l: Listener, err: unknown): void {
    if (this.listener !== l) return;
    this.listener = null;
    this.forgetAll();
    for (const [, p] of this.pending) p.back();
    this.pending.clear();
    if (err === null) return;
    // Once a minute at most: a pooler that cannot hold a listening session (PgBouncer in transaction mode) loses it
    // again after each reconnect.
    const now = performance.now();
    if (now - this.warnedAt > 60_000) {
      this.warnedAt = now;
      this.o.logger?.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'change feed lost: answers are read from the database until it listens again',
      );
    }
    l.close().catch(() => {});
  }

  private tick(): void {
    if (this.closed) return;
    const l = this.listener;
    if (!l) {
      void this.connect();
      return;
    }
    if (l.inProcess) return;
    // Heartbeats come back in the order sent: the first still pending is the oldest.
    const oldest = this.pending.values().next().value;
    if (oldest && performance.now() - oldest.at > this.staleAfterMs) {
      this.lost(l, new Error(`no heartbeat back within ${this.staleAfterMs} ms`));
      return;
    }
    void this.ping();
  }

  private async connect(): Promise<void> {
    if (this.connecting || this.closed || this.listener) return;
    this.connecting = true;
    try {
      let mine: Listener | null = null;
      let brokeEarly: unknown = null;
      const l = await listen(
        this.db,
        this.connectionName,
        (payload) => this.heard(payload),
        (err) => {
          if (mine) this.lost(mine, err);
          else brokeEarly ??= err;
        },
      );
      if (this.closed || brokeEarly) {
        await l.close().catch(() => {});
        return;
      }
      mine = l;
      // Anything committed while nobody listened went unheard: what was kept before is void.
      this.forgetAll();
      this.listener = l;
      this.o.logger?.debug('change feed listening');
      await this.ping();
    } catch (err) {
      this.o.logger?.debug({ err: (err as Error).message }, 'change feed cannot listen yet');
    } finally {
      this.connecting = false;
    }
  }
}

interface PoolLike {
  options: pg.ClientConfig;
  totalCount: number;
}
interface PgliteLike {
  listen(channel: string, cb: (payload: string) => void): Promise<(tx?: unknown) => Promise<void>>;
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** The channel migration 0014 notifies on: named per schema. */
const CHANNEL_SQL = `select 'payerguard_' || md5(coalesce(current_schema(), '')) as channel`;

/** A connection of its own (PostgreSQL), or the embedded database's own listener (PGlite). */
async function listen(
  db: Db,
  name: string,
  onNotice: (payload: string) => void,
  onLost: (err: unknown) => void,
): Promise<Listener> {
  const client = db.$client as PoolLike | PgliteLike;
  if ('totalCount' in client) {
    // Same server, user and search_path as the pool; LISTEN needs a session of its own, never a pooled one.
    const c = new pg.Client({ ...client.options, keepAlive: true, application_name: name });
    c.on('error', onLost);
    c.on('end', () => onLost(new Error('connection ended')));
    c.on('notification', (m) => {
      if (m.payload !== undefined) onNotice(m.payload);
    });
    await c.connect();
    try {
      const { rows } = await c.query<{ channel: string }>(CHANNEL_SQL);
      const channel = rows[0]!.channel;
      await c.query(`listen ${channel}`);
      return {
        inProcess: false,
        notify: async (payload) => {
          await c.query('select pg_notify($1, $2)', [channel, payload]);
        },
        close: async () => {
          c.removeAllListeners('end');
          c.removeAllListeners('error');
          c.on('error', () => {});
          await c.end();
        },
      };
    } catch (err) {
      c.removeAllListeners('end');
      await c.end().catch(() => {});
      throw err;
    }
  }
  const { rows } = await client.query(CHANNEL_SQL);
  const channel = String(rows[0]!.channel);
  const unlisten = await client.listen(channel, onNotice);
  return {
    inProcess: true,
    notify: async (payload) => {
      await client.query('select pg_notify($1, $2)', [channel, payload]);
    },
    close: async () => {
      await unlisten();
    },
  };
}
