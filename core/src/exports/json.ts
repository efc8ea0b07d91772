import type { Db } from '../db/index.js';
import { rootTrailsFor } from './root-access.js';
import { forAudience } from './shape.js';
import type { Sink } from './sink.js';
import { findingsFor, readSettings, snapshotPages } from './source.js';
import type { ExportRequest } from './types.js';

/** Versioned so consumers can tell shapes apart; bump on any breaking change (docs/exports.md). */
export const JSON_SCHEMA_ID = 'https://payerguard.dev/schemas/export/v1.json';

/**
 * JSON: one document, written partner by partner. Totals come last because they are only known at the end.
 */
export async function writeJson(
  db: Db,
  req: ExportRequest,
  sink: Sink,
  generatedAt: Date,
): Promise<{ rows: number; partners: number }> {
  const audience = req.audience ?? 'distributor';
  const head = {
    $schema: JSON_SCHEMA_ID,
    schemaVersion: 1,
    generatedAt: generatedAt.toISOString(),
    asOf: req.asOf?.toISOString() ?? null,
    audience,
    scope: req.scope,
  };
  await sink.write(`${JSON.stringify(head).slice(0, -1)},"partners":[`);
  let rows = 0;
  let partners = 0;
  const { rootLookbackDays } = await readSettings(db);
  for await (const page of snapshotPages(db, req.scope, req.asOf)) {
    const byPartner = await findingsFor(db, page);
    const trails = await rootTrailsFor(db, page, byPartner, {
      asOf: req.asOf ?? generatedAt,
      lookbackDays: rootLookbackDays,
      audience,
    });
    for (const raw of page) {
      const { snap, findings } = forAudience(audience, raw, byPartner.get(raw.partnerId) ?? []);
      const doc = {
        partnerId: snap.partnerId,
        partnerName: snap.partnerName,
        snapshot: {
          id: snap.snapshotId,
          runId: snap.runId,
          takenAt: snap.takenAt.toISOString(),
          score: snap.score,
          grade: snap.grade,
          lockedOut: snap.lockedOut,
          criticalFailures: snap.criticalFailures,
          counts: snap.counts,
          changes: snap.changes,
          ...(audience === 'distributor' ? { monthlySpendUsd: snap.monthlySpend } : {}),
        },
        findings: findings.map((f) => ({
          controlId: f.controlId,
          title: f.title,
          payerAccountId: f.payerAccountId,
          resource: f.resource,
          status: f.status,
          severity: f.severity,
          message: f.message,
          evidence: f.evidence,
          suppressionId: f.suppressionId,
        })),
        // Two-party root access: each window's request and decision with the root events inside it (additive).
        rootAccess: trails.get(snap.partnerId) ?? { windows: [], outside: [] },
      };
      await sink.write(`${partners ? ',' : ''}${JSON.stringify(doc)}`);
      partners++;
      rows += findings.length;
    }
  }
  await sink.write(`],"totals":${JSON.stringify({ partners, findings: rows })}}`);
  return { rows, partners };
}
