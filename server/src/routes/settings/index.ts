import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { DistributorSettings } from '@payerguard/core';
import { loadSettings, saveSettings } from '@payerguard/core/settings-store';
import { audit } from '../../audit.js';
import type { FeatureOpts } from '../../deps.js';
import { badRequest } from '../../errors.js';
import { ref, responses } from '../../schemas/common.js';
import { Settings } from '../../schemas/settings.js';
import { actorOf } from '../../scope.js';
import { ADMIN, STAFF } from '../../types.js';
import { SettingsSchema } from './schema.js';

export const settingsRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, { db }) => {
  app.get(
    '/api/settings',
    {
      config: { access: STAFF },
      schema: {
        tags: ['settings'],
        summary: 'Distributor settings (defaults until saved)',
        response: responses({ 200: ref(Settings) }),
      },
    },
    async () => loadSettings(db),
  );

  app.put(
    '/api/settings',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['settings'],
        summary: 'Replace the distributor settings (validated; applies from the next run)',
        body: SettingsSchema,
        response: responses({ 200: ref(Settings) }),
      },
    },
    async (req) => {
      const before = await loadSettings(db);
      // Fields added after a client was written keep their stored value when the client does not send them.
      const next = {
        hubPrincipalArn: before.hubPrincipalArn,
        suppressionMaxDays: before.suppressionMaxDays,
        apiTokenMaxDays: before.apiTokenMaxDays,
        ...req.body,
      } as DistributorSettings;
      for (const [i, w] of next.approvedRootWindows.entries())
        if (Date.parse(w.end) <= Date.parse(w.start))
          throw badRequest(`approvedRootWindows/${i}: end must be after start`);
      const saved = await saveSettings(db, next, actorOf(req));
      if (!saved.ok) throw badRequest(saved.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
      const changed = (Object.keys(next) as (keyof DistributorSettings)[]).filter(
        (k) => JSON.stringify(next[k]) !== JSON.stringify(before[k]),
      );
      await audit(db, { actor: actorOf(req), action: 'settings.update', detail: { changed }, ip: req.ip });
      return saved.settings;
    },
  );
};
