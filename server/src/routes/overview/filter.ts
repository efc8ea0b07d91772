import { isAtRisk } from '@payerguard/core/engine/standing';
import { type Static, Type } from 'typebox';
import type { EstatePartner } from '../../data/estate.js';

export const SORTS = ['score', 'name', 'id', 'grade', 'spend', 'delta', 'criticalFailures'] as const;

export const OverviewQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0, description: 'prefer cursor: an offset shifts when partners change' }),
  cursor: Type.Optional(
    Type.String({ minLength: 1, maxLength: 2000, description: 'nextCursor of the previous page (keyset)' }),
  ),
  grade: Type.Optional(
    Type.String({ pattern: '^[A-Fa-f](,[A-Fa-f])*$', description: 'comma-separated grades, e.g. "D,F"' }),
  ),
  lockout: Type.Optional(
    Type.Boolean({ description: 'only partners whose collector role cannot be assumed (true) or the others (false)' }),
  ),
  risk: Type.Optional(
    Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('unknown')], {
      description:
        'yes: locked out or failing a critical control; no: collected without either; unknown: not collected',
    }),
  ),
  failingControl: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'only partners failing this control id' }),
  ),
  search: Type.Optional(Type.String({ maxLength: 200, description: 'partner id, name or payer account id contains' })),
  sort: Type.Union(
    SORTS.map((s) => Type.Literal(s)),
    { default: 'score' },
  ),
  order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }),
});
export type OverviewQuery = Static<typeof OverviewQuery>;

/** At risk: collected, and locked out or failing a critical control (the spend at risk counts these partners). */
/** At risk is core's (engine/standing.ts), so this filter, the totals and the run summary say the same. */
export const atRisk = (p: EstatePartner) => !!p.latest && isAtRisk(p.latest);

const riskOf = (p: EstatePartner) => (!p.latest ? 'unknown' : atRisk(p) ? 'yes' : 'no');

export function filterAndSort(estate: EstatePartner[], q: OverviewQuery, failing: Set<string> | null): EstatePartner[] {
  const grades = q.grade ? new Set(q.grade.toUpperCase().split(',')) : null;
  const needle = q.search?.trim().toLowerCase();
  const out = estate.filter((p) => {
    if (grades && !(p.latest && grades.has(p.latest.grade))) return false;
    if (q.lockout !== undefined && (p.latest?.lockedOut ?? false) !== q.lockout) return false;
    if (q.risk && riskOf(p) !== q.risk) return false;
    if (failing && !failing.has(p.id)) return false;
    if (
      needle &&
      !p.id.includes(needle) &&
      !p.name.toLowerCase().includes(needle) &&
      !p.payerAccountIds.some((a) => a.includes(needle))
    )
      return false;
    return true;
  });
  return out
    .map((p) => ({ p, k: sortKey(p, q.sort) }))
    .sort((a, b) => compareRows(a, b, q.order))
    .map((x) => x.p);
}

export type SortValue = number | string | null;

/** The value a partner is ranked by for a sort (null: never collected, or no value to rank). */
export function sortKey(p: EstatePartner, sort: OverviewQuery['sort']): SortValue {
  const s = p.latest;
  switch (sort) {
    case 'name':
      return p.name.toLowerCase();
    case 'id':
      return p.id;
    case 'grade':
      return s?.grade ?? null;
    case 'spend':
      return s?.monthlySpend ?? null;
    case 'delta':
      return s && p.previousScore !== null ? s.score - p.previousScore : null;
    case 'criticalFailures':
      return s ? s.criticalFailures.length : null;
    default:
      return s?.score ?? null;
  }
}

/** Partners never collected sort last either way: they have no value to rank. Ties go by partner id. */
export function compareRows(
  a: { k: SortValue; p: { id: string } },
  b: { k: SortValue; p: { id: string } },
  order: OverviewQuery['order'],
): number {
  if (a.k === null || b.k === null) return a.k === b.k ? a.p.id.localeCompare(b.p.id) : a.k === null ? 1 : -1;
  const c = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
  return c !== 0 ? c * (order === 'desc' ? -1 : 1) : a.p.id.localeCompare(b.p.id);
}

/**
 * Where the page after a cursor starts in a sorted list: the first partner ordered after the cursor's (key, id), so
 * a partner added or removed between two requests neither repeats nor skips another one.
 */
export function startAfter(sorted: EstatePartner[], q: OverviewQuery, after: { k: SortValue; id: string }): number {
  const ref = { k: after.k, p: { id: after.id } };
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const p = sorted[mid]!;
    if (compareRows({ k: sortKey(p, q.sort), p }, ref, q.order) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
