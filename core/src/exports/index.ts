import type { Writable } from 'node:stream';
import type { Db } from '../db/index.js';
import { writeCsv } from './csv.js';
import { writeJson } from './json.js';
import { writePdf } from './pdf.js';
import { Sink } from './sink.js';
import { ExportInputError, type ExportRequest, type ExportResult, parseFormat, parseScope } from './types.js';
import { writeXlsx } from './xlsx.js';

export { CSV_COLUMNS, csvColumns } from './csv.js';
export { JSON_SCHEMA_ID } from './json.js';
export { countSnapshots } from './source.js';
export * from './types.js';

/**
 * Writes one export to `out` and ends it. Reads the latest snapshot per partner in scope (or the latest at `asOf`)
 * page by page. A partner-audience export must name its partner: that is the only partner it can contain.
 * Rejects with ExportInputError on bad input before anything is written.
 */
export async function writeExport(db: Db, req: ExportRequest, out: Writable): Promise<ExportResult> {
  const format = parseFormat(req.format);
  const scope = parseScope(req.scope);
  if (req.asOf !== undefined && Number.isNaN(req.asOf.getTime())) throw new ExportInputError('asOf: invalid date');
  const audience = req.audience ?? 'distributor';
  if (audience === 'partner' && !scope.partnerId)
    throw new ExportInputError('a partner export must name its partner (scope.partnerId)');
  const clean: ExportRequest = { format, scope, audience, ...(req.asOf ? { asOf: req.asOf } : {}) };
  const sink = new Sink(out);
  const generatedAt = new Date();
  try {
    const r =
      format === 'csv'
        ? await writeCsv(db, clean, sink)
        : format === 'json'
          ? await writeJson(db, clean, sink, generatedAt)
          : format === 'xlsx'
            ? await writeXlsx(db, clean, sink)
            : await writePdf(db, clean, sink, generatedAt);
    await sink.end();
    return { ...r, bytes: sink.bytes };
  } catch (e) {
    sink.fail(e as Error);
    throw e;
  }
}
