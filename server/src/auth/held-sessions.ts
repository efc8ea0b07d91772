import type { ChangeFeed, Stamp } from '../data/change-feed.js';
import type { Principal } from '../types.js';

/**
 * Signed-in sessions this API process has resolved, kept while the change feed says neither the session row nor its
 * user changed (logout, expiry sweep, a user disabled or given another role or partner: migration 0014 notices them)
 * and the session has not expired. Every request of a signed-in user resolves its session: this is what saves the
 * read. Bounded by count, oldest out first.
 */
export class HeldSessions {
  private readonly entries = new Map<string, { principal: Principal; expiresAt: number; stamp: Stamp }>();

  constructor(
    private readonly feed: ChangeFeed,
    private readonly max = 10_000,
  ) {}

  /** Null when not held, or no longer current: the caller reads the session again. */
  get(idHash: string, now: number): Principal | null {
    const e = this.entries.get(idHash);
    if (!e) return null;
    if (now < e.expiresAt && this.feed.unchanged(e.stamp, `s:${idHash}`, `u:${e.principal.userId}`)) return e.principal;
    this.entries.delete(idHash);
    return null;
  }

  /** Take the stamp before reading; nothing is kept when the feed was not live then (`stamp` null). */
  stamp(): Stamp | null {
    return this.feed.stamp();
  }

  set(idHash: string, principal: Principal, expiresAt: number, stamp: Stamp | null): void {
    if (!stamp) return;
    this.entries.delete(idHash);
    // Shared by every request of the session until it changes: frozen, so no handler can alter it for the next.
    this.entries.set(idHash, { principal: Object.freeze(principal), expiresAt, stamp });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}
