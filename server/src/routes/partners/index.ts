import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { collectorRoleArnFor, parseRegistry, registryFromValues, schema, validateEntry } from '@payerguard/core';
import { importRegistry, RegistryImportError } from '@payerguard/core/partners/import';
import { addPartner, PartnerError, removePartner, updatePartner } from '@payerguard/core/partners/manage';
import { DRILLDOWN_HISTORY_DEFAULT } from '@payerguard/core/read-model/drilldown/build';
import {
  buildDrilldownBody,
  type DrilldownBody,
  drilldownJson,
  storeDrilldown,
  variantFor,
} from '@payerguard/core/read-model/drilldown/stored';
import { loadSettings } from '@payerguard/core/settings-store';
import { asc, count, eq } from 'drizzle-orm';
import { Type } from 'typebox';
import { audit } from '../../audit.js';
import { randomToken } from '../../auth/crypto.js';
import type { FeatureOpts } from '../../deps.js';
import { badRequest, HttpError, notFound } from '../../errors.js';
import { Ok, ref, responses } from '../../schemas/common.js';
import {
  AccessCheckResults,
  Onboarding,
  PartnerCreated,
  PartnerDetail,
  PartnerList,
  PartnerOnboarding,
  PartnerRemoved,
  RegistryImported,
} from '../../schemas/partners.js';
import { actorOf, assertPartnerVisible, canSeeSpend, partnerScope } from '../../scope.js';
import { ADMIN, ALL_ROLES } from '../../types.js';
import { checkAccess } from './check-access.js';
import { DrilldownCache } from './drilldown-cache.js';
import { DrilldownChecks } from './drilldown-checks.js';
import { onboardingFor } from './onboarding.js';
import { addPayer, removePayer } from './store.js';

const PartnerId = Type.String({
  pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
  description: 'lower-case letters, digits and "-"',
});
const AccountId = Type.String({ pattern: '^\\d{12}$' });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const Tags = Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: 256 }));
const PayerInput = Type.Object(
  {
    payerAccountId: AccountId,
    roleArn: Type.Optional(
      Type.String({ maxLength: 2048, description: 'defaults to the collector role name from the settings' }),
    ),
  },
  { additionalProperties: false },
);

/** A fresh ExternalId: 32 random bytes, so no partner can guess another's. */
const newExternalId = () => `pg-${randomToken(24)}`;

/** core/src/partners errors carry their kind; the API answers with the matching status. */
function partnerError(e: unknown): never {
  if (e instanceof PartnerError)
    throw new HttpError(e.code === 'not_found' ? 404 : e.code === 'conflict' ? 409 : 400, e.message);
  throw e;
}

/** Whether an Accept-Encoding header takes gzip (and does not refuse it with q=0). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  for (const part of [header ?? ''].flat().join(',').split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  }
  return false;
}

export const partnerRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, { db, config, feed }) => {
  // Where the onboarding commands deploy, and the simulator's admin URL when the product runs against it.
  const where = {
    region: config.awsRegion,
    ...(config.awsEndpointUrl ? { simulatorUrl: config.awsEndpointUrl } : {}),
  };
  const drilldowns = new DrilldownCache();
  const checks = new DrilldownChecks(db);
  const requirePartner = async (id: string) => {
    const [p] = await db.select({ id: schema.partners.id }).from(schema.partners).where(eq(schema.partners.id, id));
    if (!p) throw notFound(`partner ${id} not found`);
  };

  const registerPayer = async (partnerId: string, input: { payerAccountId: string; roleArn?: string }) => {
    const settings = await loadSettings(db);
    const externalId = newExternalId();
    const roleArn = input.roleArn ?? collectorRoleArnFor(settings, input.payerAccountId);
    const { problems } = validateEntry({
      partnerId,
      partnerName: 'x',
      payerAccountId: input.payerAccountId,
      roleArn,
      externalId,
    });
    if (problems.length) throw badRequest(problems.join('; '));
    await addPayer(db, partnerId, { accountId: input.payerAccountId, roleArn, externalId });
    return onboardingFor(settings, { accountId: input.payerAccountId, roleArn, externalId }, where);
  };

  app.get(
    '/api/partners',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['partners'],
        summary: 'Partners (id, name, payer count); viewers see their own',
        response: responses({ 200: ref(PartnerList) }),
      },
    },
    async (req) => {
      const scope = partnerScope(req);
      const q = db
        .select({
          id: schema.partners.id,
          name: schema.partners.name,
          tags: schema.partners.tags,
          payers: count(schema.payers.accountId),
        })
        .from(schema.partners)
        .leftJoin(schema.payers, eq(schema.payers.partnerId, schema.partners.id))
        .groupBy(schema.partners.id)
        .orderBy(asc(schema.partners.id));
      return { partners: await (scope ? q.where(eq(schema.partners.id, scope)) : q) };
    },
  );

  app.get(
    '/api/partners/:id',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['partners'],
        summary:
          'Drill-down: findings with evidence and remediation, members, principals and boundary coverage, escalation paths, root events, history, changes',
        params: IdParams,
        querystring: Type.Object({
          history: Type.Integer({ minimum: 1, maximum: 1000, default: DRILLDOWN_HISTORY_DEFAULT }),
        }),
        response: responses({ 200: ref(PartnerDetail) }),
      },
    },
    async (req, reply) => {
      assertPartnerVisible(req, req.params.id);
      const id = req.params.id;
      const spend = canSeeSpend(req);
      const historyLimit = req.query.history;
      // Only the default history length is stored for every API process; other lengths are kept here alone.
      const variant = historyLimit === DRILLDOWN_HISTORY_DEFAULT ? variantFor(spend) : null;
      // Who may see spend is part of every key: a partner viewer never gets the body built for staff.
      const key = `${id}\u0000${spend}\u0000${historyLimit}`;
      const now = new Date();
      const held = drilldowns.get(key, now.getTime());
      let body: DrilldownBody;
      if (held && feed.unchanged(held.stamp, `p:${id}`)) body = held;
      else {
        // Before the read: a change committed after it voids what this read keeps.
        const stamp = feed.stamp();
        const check = await checks.check({ partnerId: id, variant, held: held?.fingerprint ?? null });
        if (!check) {
          drilldowns.delete(key);
          throw notFound(`partner ${id} not found`);
        }
        if (held && held.fingerprint === check.fingerprint) {
          body = held;
          held.stamp = stamp;
        } else if (check.stored) {
          body = check.stored;
          drilldowns.set(key, { fingerprint: check.fingerprint, stamp, ...check.stored });
        } else {
          const built = await buildDrilldownBody(db, id, { spend, historyLimit, now });
          if (!built) throw notFound(`partner ${id} not found`);
          body = built;
          drilldowns.set(key, { fingerprint: check.fingerprint, stamp, ...built });
          // Kept for every API process and the next restart; failing to keep it costs only the next reader a build.
          if (variant)
            await storeDrilldown(db, id, variant, check.fingerprint, built).catch((err: unknown) =>
              req.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'drill-down not stored'),
            );
        }
      }
      reply.type('application/json; charset=utf-8').header('vary', 'accept-encoding');
      // Kept gzipped: a browser takes the bytes as they are; anything else gets the JSON text.
      if (acceptsGzip(req.headers['accept-encoding'])) return reply.header('content-encoding', 'gzip').send(body.gzip);
      return reply.send(drilldownJson(body));
    },
  );

  app.post(
    '/api/partners',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['partners'],
        summary:
          "Add a partner (optionally with payers): returns each payer's new ExternalId and collector role template",
        body: Type.Object(
          {
            id: PartnerId,
            name: Type.String({ minLength: 1, maxLength: 200 }),
            tags: Type.Optional(Tags),
            payers: Type.Optional(Type.Array(PayerInput, { maxItems: 100 })),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: ref(PartnerCreated) }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const settings = await loadSettings(db);
      const payers = (b.payers ?? []).map((p) => ({
        accountId: p.payerAccountId,
        roleArn: p.roleArn ?? collectorRoleArnFor(settings, p.payerAccountId),
        externalId: newExternalId(),
      }));
      await addPartner(db, { id: b.id, name: b.name, tags: b.tags, payers }).catch(partnerError);
      const onboarding = payers.map((p) => onboardingFor(settings, p, where));
      await audit(db, {
        actor: actorOf(req),
        action: 'partner.add',
        target: b.id,
        detail: { name: b.name, payers: (b.payers ?? []).map((p) => p.payerAccountId) },
        ip: req.ip,
      });
      reply.code(201);
      return { partner: { id: b.id, name: b.name.trim(), tags: b.tags ?? {} }, onboarding };
    },
  );

  app.patch(
    '/api/partners/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['partners'],
        summary: 'Rename or re-tag a partner',
        params: IdParams,
        body: Type.Object(
          { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), tags: Type.Optional(Tags) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: responses({ 200: ref(Ok) }),
      },
    },
    async (req) => {
      await updatePartner(db, req.params.id, { name: req.body.name, tags: req.body.tags }).catch(partnerError);
      await audit(db, {
        actor: actorOf(req),
        action: 'partner.edit',
        target: req.params.id,
        detail: req.body,
        ip: req.ip,
      });
      return { ok: true };
    },
  );

  app.delete(
    '/api/partners/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['partners'],
        summary:
          'Remove a partner with its data (payers, evidence, findings, snapshots, suppressions, its exports, its viewer logins): a later partner given the same id starts empty. The audit log keeps the removal.',
        params: IdParams,
        response: responses({ 200: ref(PartnerRemoved) }),
      },
    },
    async (req) => {
      const removed = await removePartner(db, req.params.id).catch(partnerError);
      await audit(db, {
        actor: actorOf(req),
        action: 'partner.remove',
        target: req.params.id,
        detail: { removed },
        ip: req.ip,
      });
      return { ok: true, removed };
    },
  );

  app.post(
    '/api/partners/import',
    {
      config: { access: ADMIN },
      // Registry imports of thousands of partners are a few MB of JSON: the one route allowed a large body.
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['partners'],
        summary:
          'Import a partner registry (JSON Lines or JSON array, same rules as `payerguard partners import`); all or nothing',
        body: Type.Object(
          {
            registry: Type.Optional(
              Type.String({ maxLength: 15 * 1024 * 1024, description: "the registry file's text" }),
            ),
            entries: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 100_000 })),
            dryRun: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: ref(RegistryImported) }),
      },
    },
    async (req, reply) => {
      const { registry, entries, dryRun } = req.body;
      if ((registry === undefined) === (entries === undefined))
        throw badRequest('send either "registry" (the file text) or "entries" (an array)');
      const parsed = registry !== undefined ? parseRegistry(registry) : registryFromValues(entries ?? []);
      if (parsed.problems.length) {
        reply.code(400);
        return {
          error: 'Bad Request',
          message: `the registry has ${parsed.problems.length} problem(s); nothing was imported`,
          problems: parsed.problems.slice(0, 500),
        };
      }
      if (dryRun)
        return {
          dryRun: true,
          partners: new Set(parsed.entries.map((e) => e.partnerId)).size,
          payers: parsed.entries.length,
        };
      const r = await importRegistry(db, parsed.entries).catch((e: unknown) => {
        if (e instanceof RegistryImportError) throw badRequest(e.message);
        throw e;
      });
      await audit(db, { actor: actorOf(req), action: 'partner.import', detail: { ...r }, ip: req.ip });
      return { imported: r };
    },
  );

  app.get(
    '/api/partners/:id/onboarding',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['partners'],
        summary: "Admins only: each payer's ExternalId, trust policy and collector role template",
        params: IdParams,
        response: responses({ 200: ref(PartnerOnboarding) }),
      },
    },
    async (req) => {
      await requirePartner(req.params.id);
      const settings = await loadSettings(db);
      const payers = await db
        .select()
        .from(schema.payers)
        .where(eq(schema.payers.partnerId, req.params.id))
        .orderBy(asc(schema.payers.accountId));
      return { partnerId: req.params.id, payers: payers.map((p) => onboardingFor(settings, p, where)) };
    },
  );

  app.post(
    '/api/partners/:id/payers',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['partners'],
        summary: 'Add a payer: generates its ExternalId, returns the role template to deploy',
        params: IdParams,
        body: PayerInput,
        response: responses({ 201: ref(Onboarding) }),
      },
    },
    async (req, reply) => {
      await requirePartner(req.params.id);
      const onboarding = await registerPayer(req.params.id, req.body);
      await audit(db, {
        actor: actorOf(req),
        action: 'partner.edit',
        target: req.params.id,
        detail: { addedPayer: req.body.payerAccountId },
        ip: req.ip,
      });
      reply.code(201);
      return onboarding;
    },
  );

  app.delete(
    '/api/partners/:id/payers/:accountId',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['partners'],
        summary: 'Remove a payer from a partner',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }), accountId: AccountId }),
        response: responses({ 200: ref(Ok) }),
      },
    },
    async (req) => {
      await removePayer(db, req.params.id, req.params.accountId);
      await audit(db, {
        actor: actorOf(req),
        action: 'partner.edit',
        target: req.params.id,
        detail: { removedPayer: req.params.accountId },
        ip: req.ip,
      });
      return { ok: true };
    },
  );

  app.post(
    '/api/partners/:id/check-access',
    {
      // It records the outcome on the payer (last access, last error): a write, so admins only.
      config: { access: ADMIN },
      schema: {
        tags: ['partners'],
        summary: "One STS AssumeRole into each payer's collector role (or the one named): can the distributor get in?",
        params: IdParams,
        body: Type.Optional(Type.Object({ payerAccountId: Type.Optional(AccountId) }, { additionalProperties: false })),
        response: responses({ 200: ref(AccessCheckResults) }),
      },
    },
    async (req) => {
      const all = await db
        .select()
        .from(schema.payers)
        .where(eq(schema.payers.partnerId, req.params.id))
        .orderBy(asc(schema.payers.accountId));
      if (all.length === 0) {
        await requirePartner(req.params.id);
        throw new HttpError(409, `partner ${req.params.id} has no payer account registered`);
      }
      const only = req.body?.payerAccountId;
      const payers = only ? all.filter((p) => p.accountId === only) : all;
      if (payers.length === 0) throw notFound(`payer ${only} not found for partner ${req.params.id}`);
      const results = [];
      for (const p of payers) {
        const r = await checkAccess(config, p);
        await db
          .update(schema.payers)
          .set(
            r.ok
              ? { lastAccessOkAt: new Date(), lastAccessError: null }
              : { lastAccessError: `${r.errorCode}: ${r.message}` },
          )
          .where(eq(schema.payers.accountId, p.accountId));
        results.push(r);
      }
      return { partnerId: req.params.id, results };
    },
  );
};
