import type { DrilldownBody } from '@payerguard/core/read-model/drilldown/stored';
import type { Stamp } from '../../data/change-feed.js';

/**
 * Drill-downs an API process has answered with, kept as bytes under the fingerprint of the rows they were built from
 * (core/src/read-model/drilldown/fingerprint.ts). While the change feed says nothing of the partner changed since the
 * body was checked, a request is answered from here with no read at all. Otherwise it reads the partner's current
 * fingerprint (one indexed query, which also brings the stored body when this process holds none that is current) and
 * is answered from here when it matches: no re-read, no re-serialization.
 */
export interface HeldDrilldown extends DrilldownBody {
  fingerprint: string;
  /** Taken before the fingerprint was read: while the change feed says the partner is unchanged since, no read. */
  stamp: Stamp | null;
}

/**
 * Bounded by (gzipped) bytes, least recently used out first: a distributor's analysts look at a few hundred partners a
 * day, and 64 MB holds several thousand.
 */
export class DrilldownCache {
  private readonly entries = new Map<string, HeldDrilldown>();
  private bytes = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  /** The body held for `key`, unless the clock alone has changed it since; its fingerprint is the caller's to check. */
  get(key: string, now: number): HeldDrilldown | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (now >= e.validUntil) {
      this.delete(key);
      return null;
    }
    // Touch: re-insert so the Map's order stays least recently used first.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  set(key: string, e: HeldDrilldown): void {
    this.delete(key);
    if (e.gzip.length > this.maxBytes / 4) return;
    this.entries.set(key, e);
    this.bytes += e.gzip.length;
    for (const [k] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(k);
    }
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.gzip.length;
  }
}
