import type { Db } from '../db/index.js';
import { windowsForPartners } from '../root-windows/store.js';
import { buildTrail, type RootAccessTrail } from '../root-windows/trail.js';
import { redactMoney } from './shape.js';
import type { FindingRow, SnapshotRow } from './source.js';
import type { ExportAudience } from './types.js';

/**
 * The two-party root-access trail of each partner in a page of an export: its windows as they stood at `asOf`
 * (requests made later are left out, decisions taken later show as pending) that end within the root look-back of
 * the snapshot, with the root events the engine placed in each, and the violations.
 */
export async function rootTrailsFor(
  db: Db,
  page: SnapshotRow[],
  findings: Map<string, FindingRow[]>,
  opts: { asOf: Date; lookbackDays: number; audience: ExportAudience },
): Promise<Map<string, RootAccessTrail>> {
  const out = new Map<string, RootAccessTrail>();
  if (!page.length) return out;
  const oldest = Math.min(...page.map((s) => s.takenAt.getTime()));
  const windows = await windowsForPartners(
    db,
    page.map((s) => s.partnerId),
    { since: new Date(oldest - opts.lookbackDays * 86_400_000), asOf: opts.asOf },
  );
  for (const s of page) {
    const trail = buildTrail(windows.get(s.partnerId) ?? [], findings.get(s.partnerId) ?? []);
    // Reasons are free text: a partner-audience file must not carry a money figure someone typed into one.
    out.set(s.partnerId, opts.audience === 'partner' ? (redactMoney(trail) as RootAccessTrail) : trail);
  }
  return out;
}
