import { GRADES } from '../engine/scoring.js';

export { GRADES };

/**
 * What an export is asked for. Shared by the CLI, the API plugin and the export workers, which all end in
 * writeExport (see index.ts).
 */
export const EXPORT_FORMATS = ['csv', 'json', 'xlsx', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Which partners: all (empty), one partner, or a filter on the snapshot's grade and/or a control that fails. */
export interface ExportScope {
  partnerId?: string;
  grades?: string[];
  failingControl?: string;
}

/**
 * "partner" exports are what a partner viewer may hold: one partner only, and nothing about the distributor's money
 * (spend, margin) anywhere in them.
 */
export type ExportAudience = 'distributor' | 'partner';

export interface ExportRequest {
  format: ExportFormat;
  scope: ExportScope;
  /** Latest snapshot per partner taken at or before this instant; unset = the latest. */
  asOf?: Date;
  audience?: ExportAudience;
}

export interface ExportResult {
  /** Data rows written: CSV lines, JSON findings, XLSX rows over all sheets, PDF partner sections. */
  rows: number;
  bytes: number;
  partners: number;
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

/** Bad input to an export (scope, format, date): the caller shows the message; nothing was written. */
export class ExportInputError extends Error {
  override name = 'ExportInputError';
}

const PARTNER_ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const CONTROL_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

export function isExportFormat(v: unknown): v is ExportFormat {
  return typeof v === 'string' && (EXPORT_FORMATS as readonly string[]).includes(v);
}

export function parseFormat(v: unknown): ExportFormat {
  if (!isExportFormat(v))
    throw new ExportInputError(`format: must be one of ${EXPORT_FORMATS.join(', ')}, got "${String(v)}"`);
  return v;
}

/** Validates a scope from any source (API body, stored schedule, CLI flags); unknown keys are refused, not dropped. */
export function parseScope(raw: unknown): ExportScope {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ExportInputError('scope: must be an object');
  const r = raw as Record<string, unknown>;
  const unknownKeys = Object.keys(r).filter((k) => !['partnerId', 'grades', 'failingControl'].includes(k));
  if (unknownKeys.length) throw new ExportInputError(`scope: unknown field(s) ${unknownKeys.join(', ')}`);
  const scope: ExportScope = {};
  if (r.partnerId !== undefined) {
    if (typeof r.partnerId !== 'string' || !PARTNER_ID_RE.test(r.partnerId))
      throw new ExportInputError('scope.partnerId: lower-case letters, digits and "-" (max 63)');
    scope.partnerId = r.partnerId;
  }
  if (r.grades !== undefined) {
    if (
      !Array.isArray(r.grades) ||
      r.grades.length === 0 ||
      !r.grades.every((g) => (GRADES as readonly unknown[]).includes(g))
    )
      throw new ExportInputError(`scope.grades: a non-empty list of ${GRADES.join(', ')}`);
    scope.grades = [...new Set(r.grades as string[])];
  }
  if (r.failingControl !== undefined) {
    if (typeof r.failingControl !== 'string' || !CONTROL_ID_RE.test(r.failingControl))
      throw new ExportInputError('scope.failingControl: a control id such as ROOT-MFA');
    scope.failingControl = r.failingControl;
  }
  return scope;
}

export function parseAsOf(v: unknown): Date | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const d = typeof v === 'string' || v instanceof Date ? new Date(v) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) throw new ExportInputError(`asOf: not a date or time, got "${String(v)}"`);
  return d;
}

export function exportFileName(format: ExportFormat, scope: ExportScope, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `payerguard-${scope.partnerId ?? 'all'}-${stamp}.${format}`;
}
