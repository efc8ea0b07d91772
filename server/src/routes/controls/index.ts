import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { controlCatalogue } from '../../control-metadata.js';
import type { FeatureOpts } from '../../deps.js';
import { notFound } from '../../errors.js';
import { ref, responses } from '../../schemas/common.js';
import { Control, ControlList } from '../../schemas/controls.js';
import { ALL_ROLES } from '../../types.js';

export const controlRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app) => {
  app.get(
    '/api/controls',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['controls'],
        summary: 'The control catalogue: rationale, remediation, references, evidence used',
        response: responses({ 200: ref(ControlList) }),
      },
    },
    async () => ({ controls: controlCatalogue() }),
  );
  app.get(
    '/api/controls/:id',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['controls'],
        summary: 'One control',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: responses({ 200: ref(Control) }),
      },
    },
    async (req) => {
      const c = controlCatalogue().find((x) => x.id === req.params.id);
      if (!c) throw notFound(`control ${req.params.id} not found`);
      return c;
    },
  );
};
