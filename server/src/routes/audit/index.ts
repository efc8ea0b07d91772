import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { schema } from '@payerguard/core';
import { and, count, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import { Type } from 'typebox';
import type { FeatureOpts } from '../../deps.js';
import { AuditPage } from '../../schemas/audit.js';
import { ref, responses } from '../../schemas/common.js';
import { ADMIN } from '../../types.js';

export const auditRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, { db }) => {
  app.get(
    '/api/audit',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first',
        querystring: Type.Object({
          action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          actor: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
          target: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
          since: Type.Optional(Type.String({ format: 'date-time' })),
          until: Type.Optional(Type.String({ format: 'date-time' })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: responses({ 200: ref(AuditPage) }),
      },
    },
    async (req) => {
      const q = req.query;
      const t = schema.auditLog;
      const conds: SQL[] = [];
      if (q.action) conds.push(eq(t.action, q.action));
      if (q.actor) conds.push(eq(t.actor, q.actor.toLowerCase()));
      if (q.target) conds.push(eq(t.target, q.target));
      if (q.since) conds.push(gte(t.at, new Date(q.since)));
      if (q.until) conds.push(lte(t.at, new Date(q.until)));
      const where = conds.length ? and(...conds) : undefined;
      const [total] = await db.select({ n: count() }).from(t).where(where);
      const entries = await db
        .select()
        .from(t)
        .where(where)
        .orderBy(desc(t.at), desc(t.id))
        .limit(q.limit)
        .offset(q.offset);
      return { total: total?.n ?? 0, limit: q.limit, offset: q.offset, entries };
    },
  );
};
