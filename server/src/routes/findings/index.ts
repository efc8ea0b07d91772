import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { decodeCursor, encodeCursor } from '../../data/cursor.js';
import {
  type FindingFilter,
  type FindingKey,
  latestFindingsPage,
  readFindingIndex,
  SEVERITY_ORDER,
} from '../../data/latest-findings.js';
import type { FeatureOpts } from '../../deps.js';
import { badRequest } from '../../errors.js';
import { ref, responses } from '../../schemas/common.js';
import { FindingList } from '../../schemas/findings.js';
import { partnerScope } from '../../scope.js';
import { ALL_ROLES } from '../../types.js';

const STATUSES = ['pass', 'fail', 'warn', 'unknown', 'suppressed'] as const;
const list = (values: readonly string[]) =>
  Type.String({
    pattern: `^(${values.join('|')})(,(${values.join('|')}))*$`,
    description: `comma-separated: ${values.join(', ')}`,
  });

export const findingRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, { db, estate }) => {
  app.get(
    '/api/findings',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['findings'],
        summary: "Findings of each partner's latest run, across partners, by control, status and severity",
        querystring: Type.Object({
          controlId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          status: Type.Optional(list(STATUSES)),
          severity: Type.Optional(list(SEVERITY_ORDER)),
          partnerId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          offset: Type.Integer({
            minimum: 0,
            default: 0,
            description: 'prefer cursor: an offset re-reads what it skips',
          }),
          cursor: Type.Optional(
            Type.String({ minLength: 1, maxLength: 2000, description: 'nextCursor of the previous page (keyset)' }),
          ),
        }),
        response: responses({ 200: ref(FindingList) }),
      },
    },
    async (req) => {
      const q = req.query;
      const scope = partnerScope(req);
      if (q.cursor && q.offset) throw badRequest('cursor and offset: pass one of them, not both');
      // A viewer asking for another partner's findings simply gets none: the filter is intersected with their scope.
      if (scope && q.partnerId && q.partnerId !== scope)
        return { total: 0, limit: q.limit, offset: q.offset, nextCursor: null, findings: [] };
      const filter: FindingFilter = {
        partnerId: scope ?? q.partnerId,
        controlId: q.controlId,
        statuses: q.status?.split(','),
        severities: q.severity?.split(','),
      };
      const after = q.cursor ? (decodeCursor(q.cursor, 'severity', ['n', 's', 's', 's', 'n']) as FindingKey) : null;
      // Current findings change only with a partner's latest snapshot, which moves the estate version: a filter's
      // index (its total, and which partners hold which rows) is read once per version.
      const view = await estate.view();
      const index = await view.read(`findings:${JSON.stringify(filter)}`, () => readFindingIndex(db, filter));
      const found = await latestFindingsPage(db, filter, index, { after, limit: q.limit, offset: q.offset });
      const total = index.total;
      const more = found.length > q.limit;
      if (more) found.length = q.limit;
      const last = found[found.length - 1];
      const nextCursor =
        more && last
          ? encodeCursor('severity', [
              Number(last.sev_rank),
              String(last.partner_id),
              String(last.control_id),
              String(last.resource),
              Number(last.id),
            ])
          : null;
      return {
        total,
        limit: q.limit,
        offset: q.offset,
        nextCursor,
        findings: found.map((f) => ({
          id: Number(f.id),
          runId: f.run_id,
          partnerId: f.partner_id,
          partnerName: f.partner_name,
          payerAccountId: f.payer_account_id,
          controlId: f.control_id,
          resource: f.resource,
          status: f.status,
          severity: f.severity,
          title: f.title,
          message: f.message,
          evidence: f.evidence,
          suppressionId: f.suppression_id,
        })),
      };
    },
  );
};
