import { badRequest } from '../errors.js';

/**
 * Keyset pagination cursors: the sort key of the last row of a page, opaque to the caller (base64url JSON), with the
 * sort it belongs to so a cursor from one ordering is never read as another's.
 */
export type CursorKey = (string | number | null)[];

export function encodeCursor(sort: string, key: CursorKey): string {
  return Buffer.from(JSON.stringify([sort, ...key])).toString('base64url');
}

/**
 * The key a cursor carries, checked against the shape the ordering needs ('s' string, 'n' number, '?' a string, a
 * number or null); anything else is a 400 that says so.
 */
export function decodeCursor(cursor: string, sort: string, shape: string[]): CursorKey {
  const bad = () =>
    badRequest(
      `cursor: not a cursor this listing returned for sort "${sort}" (pass nextCursor from the previous page)`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length + 1 || parsed[0] !== sort) throw bad();
  const key = parsed.slice(1) as unknown[];
  shape.forEach((t, i) => {
    const v = key[i];
    if (t === '?' && (v === null || typeof v === 'string')) return;
    if ((t === 'n' || t === '?') && typeof v === 'number' && Number.isFinite(v)) return;
    if (t === 's' && typeof v === 'string') return;
    throw bad();
  });
  return key as CursorKey;
}
