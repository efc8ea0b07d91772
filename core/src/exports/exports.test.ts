import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/index.js';
import { testDatabase } from '../testing/db.js';
import { seedExportFixture } from '../testing/export-seed.js';
import { CSV_COLUMNS, ExportInputError, type ExportRequest, JSON_SCHEMA_ID, writeExport } from './index.js';

class Collect extends Writable {
  chunks: Buffer[] = [];
  override _write(c: Buffer, _e: BufferEncoding, cb: () => void) {
    this.chunks.push(c);
    cb();
  }
  get buffer() {
    return Buffer.concat(this.chunks);
  }
}

describe('exports', () => {
  let database: Database;
  const run = async (req: ExportRequest) => {
    const out = new Collect();
    const r = await writeExport(database.db, req, out);
    return { ...r, buf: out.buffer };
  };

  beforeAll(async () => {
    database = await testDatabase();
    // 12 partners, 3 daily snapshots each; latest 2026-11-01, earlier ones all grade C.
    await seedExportFixture(database.db, { partners: 12, snapshots: 3, withEvidence: true });
  });
  afterAll(async () => database?.close());

  it('CSV: one row per partner x control, documented columns, parses back', async () => {
    const r = await run({ format: 'csv', scope: {} });
    const rows = parse(r.buf, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(12 * 5);
    expect(r.rows).toBe(60);
    expect(r.bytes).toBe(r.buf.length);
    const p1mfa = rows.find((x) => x.partner_id === 'p00004' && x.control_id === 'ROOT-MFA')!;
    expect(p1mfa).toMatchObject({
      grade: 'D',
      status: 'fail',
      failing: '1',
      monthly_spend_usd: '4000',
      snapshot_taken_at: '2026-11-01T00:00:00.000Z',
    });
    const boundary = rows.find((x) => x.partner_id === 'p00001' && x.control_id === 'BOUNDARY-COVERAGE')!;
    expect(boundary.resources).toBe('');
    expect(new Set(rows.map((x) => x.partner_id)).size).toBe(12);
  });

  it('JSON: versioned schema id, the whole structure, totals', async () => {
    const r = await run({ format: 'json', scope: {} });
    const doc = JSON.parse(r.buf.toString('utf8'));
    expect(doc.$schema).toBe(JSON_SCHEMA_ID);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.partners).toHaveLength(12);
    expect(doc.totals).toEqual({ partners: 12, findings: 60 });
    const p5 = doc.partners.find((p: { partnerId: string }) => p.partnerId === 'p00005');
    expect(p5.snapshot).toMatchObject({
      grade: 'F',
      lockedOut: true,
      monthlySpendUsd: 5000,
      criticalFailures: ['OWN-ROOT-EMAIL'],
    });
    expect(
      p5.findings
        .filter((f: { status: string }) => f.status === 'fail')
        .map((f: { controlId: string }) => f.controlId)
        .sort(),
    ).toEqual(['OWN-ROOT-EMAIL', 'ROOT-MFA']);
  });

  it('as of a date: the snapshot taken then, not the latest', async () => {
    const r = await run({ format: 'json', scope: {}, asOf: new Date('2026-10-31T12:00:00Z') });
    const doc = JSON.parse(r.buf.toString('utf8'));
    expect(doc.partners).toHaveLength(12);
    expect(new Set(doc.partners.map((p: { snapshot: { grade: string } }) => p.snapshot.grade))).toEqual(new Set(['C']));
    expect(doc.partners[0].snapshot.takenAt).toBe('2026-10-31T00:00:00.000Z');
    const none = JSON.parse((await run({ format: 'json', scope: {}, asOf: new Date('2020-01-01') })).buf.toString());
    expect(none.partners).toEqual([]);
  });

  it('scope: one partner, grades, failing control', async () => {
    const one = parse((await run({ format: 'csv', scope: { partnerId: 'p00003' } })).buf, { columns: true }) as Record<
      string,
      string
    >[];
    expect(new Set(one.map((x) => x.partner_id))).toEqual(new Set(['p00003']));
    const graded = JSON.parse((await run({ format: 'json', scope: { grades: ['A', 'F'] } })).buf.toString());
    expect(graded.partners.map((p: { partnerId: string }) => p.partnerId)).toEqual([
      'p00001',
      'p00005',
      'p00006',
      'p00010',
      'p00011',
    ]);
    const failing = JSON.parse(
      (await run({ format: 'json', scope: { failingControl: 'OWN-ROOT-EMAIL' } })).buf.toString(),
    );
    expect(failing.partners.map((p: { partnerId: string }) => p.partnerId)).toEqual(['p00005', 'p00010']);
  });

  it('partner audience: no spend column, no money in evidence or messages, must name its partner', async () => {
    const r = await run({ format: 'csv', scope: { partnerId: 'p00005' }, audience: 'partner' });
    const rows = parse(r.buf, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).not.toContain('monthly_spend_usd');
    expect(r.buf.toString()).not.toMatch(/\$\d|5000/);
    const j = await run({ format: 'json', scope: { partnerId: 'p00005' }, audience: 'partner' });
    const doc = JSON.parse(j.buf.toString());
    expect(doc.partners).toHaveLength(1);
    expect(doc.partners[0].snapshot.monthlySpendUsd).toBeUndefined();
    expect(j.buf.toString()).not.toMatch(/1234\.5|\$5000/);
    await expect(run({ format: 'csv', scope: {}, audience: 'partner' })).rejects.toBeInstanceOf(ExportInputError);
  });

  it('XLSX: four sheets read back with exceljs', async () => {
    const r = await run({ format: 'xlsx', scope: {} });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.buf as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Findings', 'Root events', 'Boundary coverage']);
    const summary = wb.getWorksheet('Summary')!;
    expect(summary.rowCount).toBe(13);
    expect(summary.getRow(1).getCell(1).value).toBe('Partner ID');
    expect(summary.getRow(5).getCell(5).value).toBe('D');
    expect(wb.getWorksheet('Findings')!.rowCount).toBe(61);
    const root = wb.getWorksheet('Root events')!;
    expect(root.rowCount).toBe(13);
    expect(root.getRow(2).getCell(7).value).toBe('no'); // partner 1 (i=0): MFA not used
    const cov = wb.getWorksheet('Boundary coverage')!;
    const coverage = cov.getColumn(8).values.slice(2);
    expect(coverage.filter((v) => v === 'covered')).toHaveLength(6);
    expect(coverage.filter((v) => v === 'missing')).toHaveLength(6);
    expect(coverage.filter((v) => v === 'exempt')).toHaveLength(12);
    expect(r.rows).toBe(12 + 60 + 12 + 24);
  });

  it('PDF: a valid document with a section (page and bookmark) per partner', async () => {
    const r = await run({ format: 'pdf', scope: { grades: ['D', 'F'] } });
    const text = r.buf.toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
    const pages = text.match(/\/Type \/Page\b/g) ?? [];
    expect(pages.length).toBe(4); // each fixture partner fits one page
    // Outline titles are uncompressed strings: one bookmark per partner section, and only those in scope.
    const bookmarks = [...text.matchAll(/\/Title \(Partner \d+ p\d+ \\\((p\d+)\\\)\)/g)].map((m) => m[1]);
    expect(bookmarks).toEqual(['p00004', 'p00005', 'p00009', 'p00010']);
    expect(r.partners).toBe(4);
    const empty = await run({ format: 'pdf', scope: { partnerId: 'nobody' } });
    expect(empty.buf.toString('latin1').startsWith('%PDF-')).toBe(true);
    expect(empty.partners).toBe(0);
  });

  it('bad input is refused before anything is written', async () => {
    await expect(run({ format: 'doc' as never, scope: {} })).rejects.toThrow(/format/);
    await expect(run({ format: 'csv', scope: { grades: ['Z'] } })).rejects.toThrow(/grades/);
    await expect(run({ format: 'csv', scope: { partnerId: "x' or 1=1" } })).rejects.toThrow(/partnerId/);
  });

  it('partner-controlled text is never a formula: CSV cells are escaped, XLSX cells are text', async () => {
    const names = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd'];
    const { partners } = await import('../db/schema.js');
    const { eq } = await import('drizzle-orm');
    const ids = ['p00002', 'p00003', 'p00005', 'p00006', 'p00007', 'p00008'];
    for (const [i, id] of ids.entries())
      await database.db.update(partners).set({ name: names[i]! }).where(eq(partners.id, id));
    const csv = parse((await run({ format: 'csv', scope: {} })).buf, { columns: true }) as Record<string, string>[];
    for (const [i, id] of ids.entries()) {
      const cell = csv.find((x) => x.partner_id === id)!.partner_name!;
      expect(cell).toBe(`'${names[i]}`);
    }
    expect(csv.find((x) => x.partner_id === 'p00001')!.partner_name).toBe('Partner 1 p00001');
    const r = await run({ format: 'xlsx', scope: {} });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.buf as never);
    const summary = wb.getWorksheet('Summary')!;
    for (const [i, id] of ids.entries()) {
      const row = summary.getRows(2, summary.rowCount - 1)!.find((x) => x.getCell(1).value === id)!;
      const cell = row.getCell(2);
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(String(cell.value).slice(1)).toBe(names[i]!.slice(1));
      expect(cell.formula).toBeUndefined();
    }
  });
});
