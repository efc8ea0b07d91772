import type { Db } from '@payerguard/core';
import { estateVersion } from '@payerguard/core/read-model/read-versions';
import type { ChangeFeed, Stamp } from './change-feed.js';
import {
  type EstatePartner,
  estateTrend,
  loadEstate,
  partnersFailingControl,
  recentScores,
  statusMatrix,
  type TrendPoint,
} from './estate.js';

/**
 * Everything the overview derives from the estate read model, held in memory for one version of it. The rows are
 * re-read only when the version moved (one primary-key read per request decides), so an overview request at 10,000
 * partners costs a filter over an in-memory list, not a read and sort of every partner. Each API process keeps its
 * own copy; the version lives in the database, so every process sees every writer's change on its next request.
 *
 * The version is read before the rows: a commit landing in between leaves newer rows under the older version, and
 * the next request, seeing the newer version, reads them again. Nothing is ever served older than its version.
 */
export class EstateView {
  readonly byId: Map<string, EstatePartner>;
  /** Sorted and filtered lists by query, a handful at a time (the dashboard asks for a few orders and filters). */
  private readonly lists = new Map<string, EstatePartner[]>();
  private readonly failing = new Map<string, Promise<Set<string>>>();
  private readonly trends = new Map<string, Promise<TrendPoint[]>>();
  private readonly scores = new Map<string, number[]>();
  private readonly cells = new Map<string, Record<string, string>>();
  private readonly memo = new Map<string, unknown>();
  private readonly reads = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: Db,
    readonly version: number,
    readonly partners: EstatePartner[],
  ) {
    this.byId = new Map(partners.map((p) => [p.id, p]));
  }

  /** The partners a scope may see: every partner for staff, the one partner for a partner viewer. */
  scoped(scope: string | null): EstatePartner[] {
    if (scope === null) return this.partners;
    const p = this.byId.get(scope);
    return p ? [p] : [];
  }

  /** A derived value computed once per version (totals, for instance). */
  once<T>(key: string, compute: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, compute());
    return this.memo.get(key) as T;
  }

  /** A value read from the database once per version (a count, say); a failed read is tried again next time. */
  read<T>(key: string, load: () => Promise<T>): Promise<T> {
    return memoPromise(this.reads as Map<string, Promise<T>>, key, load, MAX_READS);
  }

  /** A filtered, sorted list kept for this version; `key` must say everything `compute` depends on. */
  list(key: string, compute: () => EstatePartner[]): EstatePartner[] {
    const hit = this.lists.get(key);
    if (hit) return hit;
    const out = compute();
    if (this.lists.size >= MAX_LISTS) this.lists.delete(this.lists.keys().next().value as string);
    this.lists.set(key, out);
    return out;
  }

  failingControl(controlId: string): Promise<Set<string>> {
    return memoPromise(this.failing, controlId, () => partnersFailingControl(this.db, controlId), MAX_CONTROLS);
  }

  trend(scope: string | null, lastRuns: number): Promise<TrendPoint[]> {
    return memoPromise(
      this.trends,
      `${scope ?? ''}\u0000${lastRuns}`,
      () => estateTrend(this.db, scope, lastRuns),
      256,
    );
  }

  /** The last `n` scores of each partner, read only for the partners not asked about before in this version. */
  async recentScores(partnerIds: string[], n: number): Promise<Map<string, number[]>> {
    const key = (id: string) => `${n}\u0000${id}`;
    const missing = partnerIds.filter((id) => !this.scores.has(key(id)));
    if (missing.length) {
      const got = await recentScores(this.db, missing, n);
      for (const id of missing) this.scores.set(key(id), got.get(id) ?? []);
    }
    return new Map(partnerIds.map((id) => [id, this.scores.get(key(id)) ?? []]));
  }

  /** Worst status per control in each partner's latest run (heatmap cells), read once per partner and version. */
  async statusCells(partners: EstatePartner[]): Promise<Map<string, Record<string, string>>> {
    const missing = partners.filter((p) => p.latest && !this.cells.has(p.id));
    if (missing.length) {
      const got = await statusMatrix(
        this.db,
        missing.map((p) => ({ partnerId: p.id, runId: p.latest!.runId })),
      );
      for (const p of missing) this.cells.set(p.id, got.get(p.id) ?? {});
    }
    return new Map(partners.map((p) => [p.id, this.cells.get(p.id) ?? {}]));
  }
}

const MAX_LISTS = 32;
const MAX_CONTROLS = 256;
// A findings index holds up to 4 entries a partner: a few dozen filters per version at most.
const MAX_READS = 32;

function memoPromise<T>(m: Map<string, Promise<T>>, key: string, load: () => Promise<T>, max: number): Promise<T> {
  const hit = m.get(key);
  if (hit) return hit;
  const p = load();
  // A failed read is not kept: the next request tries again.
  p.catch(() => m.delete(key));
  if (m.size >= max) m.delete(m.keys().next().value as string);
  m.set(key, p);
  return p;
}

/**
 * The current EstateView of one database, loaded at most once per version however many requests ask at once. With a
 * change feed, the version is not even read while the feed says it has not moved (migration 0014 notices it).
 */
export class EstateCache {
  private current: EstateView | null = null;
  /** Taken before `current`'s version was last read. */
  private currentStamp: Stamp | null = null;
  private loading: { version: number; view: Promise<EstateView> } | null = null;

  constructor(
    private readonly db: Db,
    private readonly feed?: ChangeFeed,
  ) {}

  async view(): Promise<EstateView> {
    const held = this.current;
    if (held && this.feed?.unchanged(this.currentStamp, 'v:estate')) return held;
    const stamp = this.feed?.stamp() ?? null;
    const version = await estateVersion(this.db);
    if (this.current?.version === version) {
      this.currentStamp = stamp;
      return this.current;
    }
    let loading = this.loading;
    if (loading?.version !== version) {
      const view = loadEstate(this.db).then((partners) => new EstateView(this.db, version, partners));
      const entry = { version, view };
      loading = entry;
      this.loading = entry;
      view.then(
        (v) => {
          // A slower load of an older version never replaces a newer one.
          if (!this.current || this.current.version < v.version) {
            this.current = v;
            this.currentStamp = stamp;
          }
          if (this.loading === entry) this.loading = null;
        },
        () => {
          if (this.loading === entry) this.loading = null;
        },
      );
    }
    return loading.view;
  }
}
