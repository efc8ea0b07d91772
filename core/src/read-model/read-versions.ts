import type { Db } from '../db/index.js';
import { queryPrepared } from '../db/prepared.js';

/**
 * The version of the estate read model: partners, their payer account ids, each partner's latest snapshot
 * (partner_latest) and the runs' trend points (run_scores). Deferred triggers (migration 0009) move it in the same
 * transaction as any of those rows, whoever writes them, so a reader that sees a version it already holds may serve
 * what it derived from it without reading the rows again; one primary-key read decides.
 */
export async function estateVersion(db: Db): Promise<number> {
  const [r] = await queryPrepared<{ version: string | number }>(
    db,
    'estate_version_v1',
    `select version from read_versions where scope = 'estate'`,
    [],
  );
  const v = r?.version;
  if (v === undefined) throw new Error('read_versions has no estate row: run the migrations (payerguard migrate)');
  return Number(v);
}
