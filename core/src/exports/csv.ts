import { once } from 'node:events';
import { stringify } from 'csv-stringify';
import type { Db } from '../db/index.js';
import { neutralizeFormula } from './formula-guard.js';
import { forAudience, rollupByControl } from './shape.js';
import type { Sink } from './sink.js';
import { findingsFor, snapshotPages } from './source.js';
import type { ExportAudience, ExportRequest } from './types.js';

/**
 * CSV: one row per partner x control. The columns are a published interface (docs/exports.md); append new ones at
 * the end, never rename or reorder. Partner-audience files have no monthly_spend_usd column at all.
 */
export const CSV_COLUMNS = [
  'partner_id',
  'partner_name',
  'snapshot_id',
  'snapshot_taken_at',
  'score',
  'grade',
  'locked_out',
  'monthly_spend_usd',
  'control_id',
  'control_title',
  'severity',
  'status',
  'findings',
  'failing',
  'payer_account_ids',
  'resources',
  'message',
] as const;

export const csvColumns = (audience: ExportAudience) =>
  audience === 'partner' ? CSV_COLUMNS.filter((c) => c !== 'monthly_spend_usd') : [...CSV_COLUMNS];

export async function writeCsv(db: Db, req: ExportRequest, sink: Sink): Promise<{ rows: number; partners: number }> {
  const audience = req.audience ?? 'distributor';
  const columns = csvColumns(audience);
  const csv = stringify({
    header: true,
    columns,
    cast: { boolean: (b) => (b ? 'true' : 'false'), string: neutralizeFormula },
  });
  csv.pipe(sink.stream, { end: false });
  const put = async (rec: Record<string, unknown>) => {
    if (!csv.write(rec)) await once(csv, 'drain');
    await sink.drained();
  };
  let rows = 0;
  let partners = 0;
  for await (const page of snapshotPages(db, req.scope, req.asOf)) {
    const byPartner = await findingsFor(db, page);
    for (const raw of page) {
      const { snap, findings } = forAudience(audience, raw, byPartner.get(raw.partnerId) ?? []);
      partners++;
      const base = {
        partner_id: snap.partnerId,
        partner_name: snap.partnerName,
        snapshot_id: snap.snapshotId,
        snapshot_taken_at: snap.takenAt.toISOString(),
        score: snap.score,
        grade: snap.grade,
        locked_out: snap.lockedOut,
        monthly_spend_usd: snap.monthlySpend ?? '',
      };
      const rollups = rollupByControl(findings);
      // A partner scored without findings still appears: an export must not hide a partner.
      if (rollups.length === 0) {
        await put(base);
        rows++;
      }
      for (const r of rollups) {
        await put({
          ...base,
          control_id: r.controlId,
          control_title: r.title,
          severity: r.severity,
          status: r.status,
          findings: r.findings,
          failing: r.failing,
          payer_account_ids: r.payerAccountIds.join(' '),
          resources: r.resources.join(' '),
          message: r.message,
        });
        rows++;
      }
    }
  }
  const ended = once(csv, 'end');
  csv.end();
  await ended;
  return { rows, partners };
}
