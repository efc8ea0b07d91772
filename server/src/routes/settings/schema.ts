import { API_TOKEN_MAX_DAYS_LIMIT, EVIDENCE_RETENTION_DAYS_LIMIT, SUPPRESSION_MAX_DAYS_LIMIT } from '@payerguard/core';
import { Type } from 'typebox';

const Domain = Type.String({
  pattern: '^(?!-)[a-z0-9-]{1,63}(\\.[a-z0-9-]{1,63})+$',
  description: 'lower case, no "@"',
});
const Account = Type.String({ pattern: '^\\d{12}$' });
const RoleName = Type.String({ pattern: '^[\\w+=,.@-]{1,64}$' });
const Path = Type.String({ pattern: '^/([\\w+=,.@-]+/)*$', maxLength: 512 });

/** DistributorSettings (core/src/settings.ts) as a schema: what PUT /api/settings accepts. */
export const SettingsSchema = Type.Object(
  {
    distributorName: Type.String({ minLength: 1, maxLength: 200 }),
    domains: Type.Array(Domain, { minItems: 1, maxItems: 100, uniqueItems: true }),
    hubAccountId: Account,
    hubEventBusName: Type.Optional(Type.String({ minLength: 1, maxLength: 256, pattern: '^[/.\\-_A-Za-z0-9]+$' })),
    collectorRoleName: RoleName,
    billingRoleName: RoleName,
    boundary: Type.Object(
      {
        policyName: Type.String({ pattern: '^[\\w+=,.@-]{1,128}$' }),
        policyPath: Path,
        approvedDocument: Type.Union([
          Type.Object(
            { Version: Type.Optional(Type.String()), Statement: Type.Unknown() },
            { additionalProperties: true },
          ),
          Type.Null(),
        ]),
      },
      { additionalProperties: false },
    ),
    protectedResources: Type.Object(
      {
        s3Buckets: Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' }), { maxItems: 200 }),
        billingActions: Type.Array(Type.String({ pattern: '^[a-z0-9-]+:[A-Za-z0-9*]+$' }), { maxItems: 200 }),
        monitorRuleName: Type.String({ minLength: 1, maxLength: 64 }),
        trailName: Type.String({ minLength: 3, maxLength: 128 }),
        governanceStackName: Type.String({ minLength: 1, maxLength: 128 }),
      },
      { additionalProperties: false },
    ),
    distributorPrincipals: Type.Object(
      {
        paths: Type.Array(Path, { maxItems: 100 }),
        names: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 500 }),
        tags: Type.Array(
          Type.Object(
            { key: Type.String({ minLength: 1, maxLength: 128 }), value: Type.String({ maxLength: 256 }) },
            { additionalProperties: false },
          ),
          { maxItems: 50 },
        ),
      },
      { additionalProperties: false },
    ),
    rootLookbackDays: Type.Integer({ minimum: 1, maximum: 90 }),
    approvedRootWindows: Type.Array(
      Type.Object(
        {
          start: Type.String({ format: 'date-time' }),
          end: Type.String({ format: 'date-time' }),
          reason: Type.String({ minLength: 1, maxLength: 500 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 1000 },
    ),
    accessMaxAgeHours: Type.Integer({ minimum: 1, maximum: 24 * 90 }),
    hubPrincipalArn: Type.Optional(
      Type.String({ minLength: 20, maxLength: 2048, description: 'the hub role that collects' }),
    ),
    suppressionMaxDays: Type.Optional(Type.Integer({ minimum: 1, maximum: SUPPRESSION_MAX_DAYS_LIMIT })),
    apiTokenMaxDays: Type.Optional(Type.Integer({ minimum: 1, maximum: API_TOKEN_MAX_DAYS_LIMIT })),
    evidenceRetentionDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: EVIDENCE_RETENTION_DAYS_LIMIT, description: 'days raw evidence is kept' }),
    ),
  },
  { additionalProperties: false },
);
