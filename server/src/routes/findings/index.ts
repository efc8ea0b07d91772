import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'drizzle-orm';
import { Type } from 'typebox';
import { decodeCursor, encodeCursor } from '../../data/cursor.js';
import { rows } from '../../data/rows.js';
import type { FeatureOpts } from '../../deps.js';
import { badRequest } from '../../errors.js';
import { ref, responses } from '../../schemas/common.js';
import { FindingList } from '../../schemas/findings.js';
import { partnerScope } from '../../scope.js';
import { ALL_ROLES } from '../../types.js';

const STATUSES = ['pass', 'fail', 'warn', 'unknown', 'suppressed'] as const;
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
const list = (values: readonly string[]) =>
  Type.String({
    pattern: `^(${values.join('|')})(,(${values.join('|')}))*$`,
    description: `comma-separated: ${values.join(', ')}`,
  });

export const findingRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, { db }) => {
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
          severity: Type.Optional(list(SEVERITIES)),
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
      // A viewer asking for another partner's findings simply gets none: the filter is intersected with their scope.
      const partnerId = scope ?? q.partnerId;
      const conds = [sql`true`];
      if (scope && q.partnerId && q.partnerId !== scope) conds.push(sql`false`);
      if (partnerId) conds.push(sql`f.partner_id = ${partnerId}`);
      if (q.controlId) conds.push(sql`f.control_id = ${q.controlId}`);
      if (q.status) conds.push(sql`f.status = any(${sql.param(q.status.split(','))}::text[])`);
      if (q.severity) conds.push(sql`f.severity = any(${sql.param(q.severity.split(','))}::text[])`);
      if (q.cursor && q.offset) throw badRequest('cursor and offset: pass one of them, not both');
      const where = sql.join(conds, sql` and `);
      // Each partner's latest run (the latest_findings view: one index probe per partner, never history).
      const from = sql`latest_findings f`;
      const rank = sql`(case f.severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end)`;
      const after = q.cursor ? decodeCursor(q.cursor, 'severity', ['n', 's', 's', 's', 'n']) : null;
      const keyset = after
        ? sql`and (${rank}, f.partner_id, f.control_id, f.resource, f.id) > (${after[0]}::int, ${after[1]}::text, ${after[2]}::text, ${after[3]}::text, ${after[4]}::bigint)`
        : sql``;
      const [totalRow] = await rows<{ n: string }>(db, sql`select count(*) as n from ${from} where ${where}`);
      const found = await rows<Record<string, unknown>>(
        db,
        sql`select f.id, f.run_id, f.partner_id, p.name as partner_name, f.payer_account_id, f.control_id, f.resource, f.status,
                   f.severity, f.title, f.message, f.evidence, f.suppression_id, ${rank} as sev_rank
            from ${from}
            left join partners p on p.id = f.partner_id
            where ${where} ${keyset}
            order by ${rank}, f.partner_id, f.control_id, f.resource, f.id
            limit ${q.limit + 1} offset ${after ? 0 : q.offset}`,
      );
      const more = found.length > q.limit;
      if (more) found.pop();
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
        total: Number(totalRow?.n ?? 0),
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
