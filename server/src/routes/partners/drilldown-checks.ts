import type { Db } from '@payerguard/core';
import {
  checkDrilldowns,
  type DrilldownCheck,
  type DrilldownCheckRequest,
} from '@payerguard/core/read-model/drilldown/stored';

interface Waiting {
  request: DrilldownCheckRequest;
  resolve: (c: DrilldownCheck | null) => void;
  reject: (e: unknown) => void;
}

/**
 * The drill-down checks of requests that arrive together (in one turn of the event loop), read in one query: with
 * dozens of drill-downs in flight, one round trip for many partners costs the API and PostgreSQL a fraction of one
 * each. A request waits at most until the end of the turn it arrived in.
 */
export class DrilldownChecks {
  private waiting: Waiting[] = [];

  constructor(
    private readonly db: Db,
    private readonly maxPerQuery = 50,
  ) {}

  check(request: DrilldownCheckRequest): Promise<DrilldownCheck | null> {
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ request, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const all = this.waiting;
    this.waiting = [];
    const now = new Date();
    for (let i = 0; i < all.length; i += this.maxPerQuery) {
      const batch = all.slice(i, i + this.maxPerQuery);
      checkDrilldowns(
        this.db,
        batch.map((w) => w.request),
        now,
      ).then(
        (checks) => {
          for (const [k, w] of batch.entries()) w.resolve(checks[k] ?? null);
        },
        (err: unknown) => {
          for (const w of batch) w.reject(err);
        },
      );
    }
  }
}
