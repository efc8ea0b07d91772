import { Type } from 'typebox';
import { DateTime, FindingStatus, Grade, Nullable, ref, Severity } from './common.js';

export const Tags = Type.Record(Type.String(), Type.String(), { $id: 'Tags', description: 'free key/value labels' });

export const OverviewPartner = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    tags: ref(Tags),
    payerAccountIds: Type.Array(Type.String()),
    collected: Type.Boolean(),
    score: Nullable(Type.Integer()),
    grade: Nullable(ref(Grade)),
    scoreDelta: Nullable(Type.Integer()),
    trend: Type.Array(Type.Integer(), { description: "the partner's last scores, oldest first" }),
    lockedOut: Type.Boolean(),
    failingCriticalControls: Type.Array(Type.String()),
    lastSnapshotAt: Nullable(DateTime()),
    lastRunId: Nullable(Type.String()),
    monthlySpend: Type.Optional(Nullable(Type.Number({ description: 'absent for partner viewers (margin data)' }))),
  },
  { $id: 'OverviewPartner' },
);

export const OverviewTotals = Type.Object(
  {
    partners: Type.Integer(),
    collected: Type.Integer(),
    notCollected: Type.Integer(),
    byGrade: Type.Record(Type.String(), Type.Integer(), { description: 'partners per grade (A-F)' }),
    lockouts: Type.Integer(),
    failingCritical: Type.Integer(),
    averageScore: Nullable(Type.Number()),
    compliantShare: Nullable(Type.Number()),
    totalMonthlySpend: Type.Optional(Type.Number()),
    spendAtRisk: Type.Optional(Type.Number()),
  },
  { $id: 'OverviewTotals' },
);

export const TrendPoint = Type.Object(
  {
    runId: Type.String(),
    at: DateTime(),
    partners: Type.Integer(),
    averageScore: Type.Number(),
    lockouts: Type.Integer(),
    spendAtRisk: Type.Optional(Type.Number()),
  },
  { $id: 'TrendPoint' },
);

export const Overview = Type.Object(
  {
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
    nextOffset: Nullable(Type.Integer()),
    nextCursor: Type.Optional(
      Nullable(Type.String({ description: 'keyset pagination: pass as cursor for the next page' })),
    ),
    partners: Type.Array(ref(OverviewPartner)),
    totals: ref(OverviewTotals),
    estateTrend: Type.Array(ref(TrendPoint)),
  },
  { $id: 'Overview' },
);

export const MatrixControl = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    severity: Nullable(ref(Severity)),
    category: Nullable(Type.String()),
  },
  { $id: 'MatrixControl' },
);

export const Matrix = Type.Object(
  {
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
    nextCursor: Type.Optional(
      Nullable(Type.String({ description: 'keyset pagination: pass as cursor for the next page' })),
    ),
    controls: Type.Array(ref(MatrixControl)),
    rows: Type.Array(
      Type.Object({
        partnerId: Type.String(),
        name: Type.String(),
        grade: Nullable(ref(Grade)),
        cells: Type.Record(Type.String(), ref(FindingStatus), { description: 'control id: worst status' }),
      }),
    ),
  },
  { $id: 'Matrix' },
);

export const overviewSchemas = [Tags, OverviewPartner, OverviewTotals, TrendPoint, Overview, MatrixControl, Matrix];
