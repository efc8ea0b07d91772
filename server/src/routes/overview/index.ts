import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { GRADES } from '@payerguard/core/engine/scoring';
import { compliantShare } from '@payerguard/core/engine/standing';
import { Type } from 'typebox';
import { controlCatalogue } from '../../control-metadata.js';
import { decodeCursor, encodeCursor } from '../../data/cursor.js';
import type { EstatePartner } from '../../data/estate.js';
import type { FeatureOpts } from '../../deps.js';
import { badRequest } from '../../errors.js';
import { ref, responses } from '../../schemas/common.js';
import { Matrix, Overview } from '../../schemas/overview.js';
import { canSeeSpend, partnerScope } from '../../scope.js';
import { ALL_ROLES } from '../../types.js';
import { atRisk, filterAndSort, OverviewQuery, sortKey, startAfter } from './filter.js';

/** One page of the sorted partners, by cursor (keyset) or by offset, with the cursor of the page after it. */
function pageOf(matched: EstatePartner[], q: OverviewQuery) {
  if (q.cursor && q.offset) throw badRequest('cursor and offset: pass one of them, not both');
  const sort = `${q.sort}:${q.order}`;
  let start = q.offset;
  if (q.cursor) {
    const [k, id] = decodeCursor(q.cursor, sort, ['?', 's']);
    start = startAfter(matched, q, { k: k ?? null, id: String(id) });
  }
  const page = matched.slice(start, start + q.limit);
  const last = page[page.length - 1];
  const nextCursor =
    last && start + page.length < matched.length ? encodeCursor(sort, [sortKey(last, q.sort), last.id]) : null;
  return { page, nextCursor };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function totals(estate: EstatePartner[], spend: boolean) {
  const collected = estate.filter((p) => p.latest);
  const byGrade: Record<string, number> = Object.fromEntries(GRADES.map((g) => [g, 0]));
  for (const p of collected) byGrade[p.latest!.grade] = (byGrade[p.latest!.grade] ?? 0) + 1;
  const avg = collected.length ? collected.reduce((s, p) => s + p.latest!.score, 0) / collected.length : null;
  return {
    partners: estate.length,
    collected: collected.length,
    notCollected: estate.length - collected.length,
    byGrade,
    lockouts: collected.filter((p) => p.latest!.lockedOut).length,
    failingCritical: collected.filter((p) => p.latest!.criticalFailures.length > 0).length,
    averageScore: avg === null ? null : Math.round(avg * 10) / 10,
    compliantShare: compliantShare(collected.map((p) => p.latest!)),
    ...(spend
      ? {
          totalMonthlySpend: round2(collected.reduce((s, p) => s + (p.latest!.monthlySpend ?? 0), 0)),
          spendAtRisk: round2(collected.filter(atRisk).reduce((s, p) => s + (p.latest!.monthlySpend ?? 0), 0)),
        }
      : {}),
  };
}

/** What a filtered, sorted list depends on (the page, cursor and trend sizes do not change it). */
const listKey = (q: OverviewQuery) =>
  JSON.stringify([q.grade, q.lockout, q.risk, q.failingControl, q.search, q.sort, q.order]);

export const overviewRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, { estate: cache }) => {
  const select = async (q: OverviewQuery, scope: string | null) => {
    const view = await cache.view();
    const estate = view.scoped(scope);
    const failing = q.failingControl ? await view.failingControl(q.failingControl) : null;
    // A viewer's list is one partner: filtering it costs nothing, and staff lists are shared by every staff request.
    const matched =
      scope === null
        ? view.list(listKey(q), () => filterAndSort(estate, q, failing))
        : filterAndSort(estate, q, failing);
    return { view, estate, matched, ...pageOf(matched, q) };
  };

  app.get(
    '/api/overview',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['overview'],
        summary:
          'Every partner with score, grade, trend, spend, lockout and failing critical controls; totals; estate trend',
        description: 'Partner viewers get their own partner only, without spend.',
        querystring: Type.Intersect([
          OverviewQuery,
          Type.Object({
            trendPoints: Type.Integer({
              minimum: 1,
              maximum: 50,
              default: 8,
              description: 'last N scores per partner',
            }),
            trendRuns: Type.Integer({ minimum: 1, maximum: 500, default: 30, description: 'runs in the estate trend' }),
          }),
        ]),
        response: responses({ 200: ref(Overview) }),
      },
    },
    async (req) => {
      const q = req.query;
      const scope = partnerScope(req);
      const spend = canSeeSpend(req);
      const { view, estate, matched, page, nextCursor } = await select(q, scope);
      const [scores, trend] = await Promise.all([
        view.recentScores(
          page.map((p) => p.id),
          q.trendPoints,
        ),
        view.trend(scope, q.trendRuns),
      ]);
      return {
        total: matched.length,
        limit: q.limit,
        offset: q.offset,
        nextOffset: !q.cursor && q.offset + page.length < matched.length ? q.offset + page.length : null,
        nextCursor,
        partners: page.map((p) => {
          const s = p.latest;
          return {
            id: p.id,
            name: p.name,
            tags: p.tags,
            payerAccountIds: p.payerAccountIds,
            collected: !!s,
            score: s?.score ?? null,
            grade: s?.grade ?? null,
            scoreDelta: s && p.previousScore !== null ? s.score - p.previousScore : null,
            trend: scores.get(p.id) ?? [],
            lockedOut: s?.lockedOut ?? false,
            failingCriticalControls: s?.criticalFailures ?? [],
            lastSnapshotAt: s?.takenAt.toISOString() ?? null,
            lastRunId: s?.runId ?? null,
            ...(spend ? { monthlySpend: s?.monthlySpend ?? null } : {}),
          };
        }),
        totals: scope === null ? view.once(`totals:${spend}`, () => totals(estate, spend)) : totals(estate, spend),
        estateTrend: trend.map(({ spendAtRisk, ...t }) => (spend ? { ...t, spendAtRisk } : t)),
      };
    },
  );

  app.get(
    '/api/overview/matrix',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['overview'],
        summary: "Partners x controls: worst finding status per cell in each partner's latest run (heatmap)",
        querystring: OverviewQuery,
        response: responses({ 200: ref(Matrix) }),
      },
    },
    async (req) => {
      const q = req.query;
      const { view, matched, page, nextCursor } = await select(q, partnerScope(req));
      const cells = await view.statusCells(page);
      const catalogue = controlCatalogue();
      const seen = new Set(catalogue.map((c) => c.id));
      const extra = [...new Set([...cells.values()].flatMap((c) => Object.keys(c)))]
        .filter((id) => !seen.has(id))
        .sort();
      return {
        total: matched.length,
        limit: q.limit,
        offset: q.offset,
        nextCursor,
        controls: [
          ...catalogue.map((c) => ({ id: c.id, title: c.title, severity: c.severity, category: c.category })),
          ...extra.map((id) => ({ id, title: id, severity: null, category: null })),
        ],
        rows: page.map((p) => ({
          partnerId: p.id,
          name: p.name,
          grade: p.latest?.grade ?? null,
          cells: cells.get(p.id) ?? {},
        })),
      };
    },
  );
};
