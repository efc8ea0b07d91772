import { eq } from 'drizzle-orm';
import type { Db } from './db/index.js';
import { settings as settingsTable } from './db/schema.js';
import type { PolicyDocument } from './evidence/types.js';
import { jsonShape, POLICY_DOCUMENT_MAX_DEPTH, POLICY_DOCUMENT_MAX_NODES } from './json-bounds.js';
import {
  API_TOKEN_MAX_DAYS_LIMIT,
  DEFAULT_HUB_EVENT_BUS_NAME,
  type DistributorSettings,
  defaultSettings,
  EVIDENCE_RETENTION_DAYS_LIMIT,
  HUB_PRINCIPAL_ARN_RE,
  SUPPRESSION_MAX_DAYS_LIMIT,
} from './settings.js';

export interface SettingsError {
  path: string;
  message: string;
}

export type SettingsValidation = { ok: true; settings: DistributorSettings } | { ok: false; errors: SettingsError[] };

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACCOUNT_RE = /^\d{12}$/;
const ROLE_NAME_RE = /^[\w+=,.@-]{1,64}$/;
const POLICY_PATH_RE = /^\/([\x21-\x7e]+\/)*$/;
const RULE_NAME_RE = /^[.\-_A-Za-z0-9]{1,64}$/;
const EVENT_BUS_NAME_RE = /^[/.\-_A-Za-z0-9]{1,256}$/;
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Checks a whole settings object (what the API receives) and returns it normalised (trimmed, domains lower-cased)
 * or every problem with its path, so a form can show each next to its field. Unknown keys are dropped.
 */
export function validateSettings(input: unknown): SettingsValidation {
  const errors: SettingsError[] = [];
  const err = (path: string, message: string) => errors.push({ path, message });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '', message: 'expected a settings object' }] };
  }
  const x = input as Record<string, unknown>;
  const obj = (v: unknown, path: string): Record<string, unknown> => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    err(path, 'expected an object');
    return {};
  };
  const str = (v: unknown, path: string, re?: RegExp, hint?: string): string => {
    if (typeof v !== 'string' || !v.trim()) {
      err(path, 'required text');
      return '';
    }
    const s = v.trim();
    if (re && !re.test(s)) err(path, hint ?? 'invalid value');
    return s;
  };
  const strList = (v: unknown, path: string, re?: RegExp, hint?: string, min = 0): string[] => {
    if (!Array.isArray(v)) {
      err(path, 'expected a list');
      return [];
    }
    if (v.length < min) err(path, `at least ${min} required`);
    return v.map((item, i) => str(item, `${path}.${i}`, re, hint));
  };
  const int = (v: unknown, path: string, min: number, max: number): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      err(path, `expected a whole number from ${min} to ${max}`);
      return min;
    }
    return v;
  };

  const domains = strList(
    Array.isArray(x.domains)
      ? x.domains.map((d) => (typeof d === 'string' ? d.trim().toLowerCase().replace(/^@/, '') : d))
      : x.domains,
    'domains',
    DOMAIN_RE,
    'expected a domain name such as distributor.example (no "@")',
    1,
  );
  const boundary = obj(x.boundary, 'boundary');
  let approvedDocument: PolicyDocument | null = null;
  if (boundary.approvedDocument !== undefined && boundary.approvedDocument !== null) {
    const d = boundary.approvedDocument;
    if (typeof d !== 'object' || Array.isArray(d) || !('Statement' in (d as object)))
      err('boundary.approvedDocument', 'expected an IAM policy document with a Statement, or null');
    else {
      const shape = jsonShape(d, POLICY_DOCUMENT_MAX_NODES);
      if (shape.depth > POLICY_DOCUMENT_MAX_DEPTH || shape.nodes > POLICY_DOCUMENT_MAX_NODES)
        err(
          'boundary.approvedDocument',
          `an IAM policy document is at most ${POLICY_DOCUMENT_MAX_DEPTH} levels deep and ${POLICY_DOCUMENT_MAX_NODES} values`,
        );
      else approvedDocument = d as PolicyDocument;
    }
  }
  const pr = obj(x.protectedResources, 'protectedResources');
  const dp = obj(x.distributorPrincipals, 'distributorPrincipals');
  const list = (v: unknown, path: string): unknown[] => {
    if (Array.isArray(v)) return v;
    err(path, 'expected a list');
    return [];
  };
  const tags = list(dp.tags, 'distributorPrincipals.tags');
  const windowsRaw = list(x.approvedRootWindows, 'approvedRootWindows');
  const approvedRootWindows = windowsRaw.map((w, i) => {
    const o = obj(w, `approvedRootWindows.${i}`);
    const start = str(o.start, `approvedRootWindows.${i}.start`);
    const end = str(o.end, `approvedRootWindows.${i}.end`);
    const reason = str(o.reason, `approvedRootWindows.${i}.reason`);
    const s = Date.parse(start);
    const e = Date.parse(end);
    if (start && Number.isNaN(s)) err(`approvedRootWindows.${i}.start`, 'expected an ISO 8601 time');
    if (end && Number.isNaN(e)) err(`approvedRootWindows.${i}.end`, 'expected an ISO 8601 time');
    if (!Number.isNaN(s) && !Number.isNaN(e) && e <= s) err(`approvedRootWindows.${i}.end`, 'must be after start');
    return {
      start: Number.isNaN(s) ? start : new Date(s).toISOString(),
      end: Number.isNaN(e) ? end : new Date(e).toISOString(),
      reason,
    };
  });

  const settings: DistributorSettings = {
    distributorName: str(x.distributorName, 'distributorName'),
    domains,
    hubAccountId: str(x.hubAccountId, 'hubAccountId', ACCOUNT_RE, 'expected a 12-digit AWS account id'),
    // Optional for settings saved before it existed: the default bus name of the hub template.
    hubEventBusName:
      x.hubEventBusName === undefined
        ? DEFAULT_HUB_EVENT_BUS_NAME
        : str(x.hubEventBusName, 'hubEventBusName', EVENT_BUS_NAME_RE, 'expected an EventBridge bus name'),
    collectorRoleName: str(x.collectorRoleName, 'collectorRoleName', ROLE_NAME_RE, 'expected an IAM role name'),
    billingRoleName: str(x.billingRoleName, 'billingRoleName', ROLE_NAME_RE, 'expected an IAM role name'),
    boundary: {
      policyName: str(boundary.policyName, 'boundary.policyName', ROLE_NAME_RE, 'expected an IAM policy name'),
      policyPath: str(
        boundary.policyPath,
        'boundary.policyPath',
        POLICY_PATH_RE,
        'expected a path that starts and ends with "/"',
      ),
      approvedDocument,
    },
    protectedResources: {
      s3Buckets: strList(pr.s3Buckets, 'protectedResources.s3Buckets', BUCKET_RE, 'expected an S3 bucket name'),
      billingActions: strList(
        pr.billingActions,
        'protectedResources.billingActions',
        /^[\w-]+:[\w*]+$/,
        'expected an IAM action such as ce:GetCostAndUsage',
      ),
      monitorRuleName: str(
        pr.monitorRuleName,
        'protectedResources.monitorRuleName',
        RULE_NAME_RE,
        'expected an EventBridge rule name',
      ),
      trailName: str(pr.trailName, 'protectedResources.trailName'),
      governanceStackName: str(pr.governanceStackName, 'protectedResources.governanceStackName'),
    },
    distributorPrincipals: {
      paths: strList(
        dp.paths,
        'distributorPrincipals.paths',
        POLICY_PATH_RE,
        'expected a path that starts and ends with "/"',
      ),
      names: strList(dp.names, 'distributorPrincipals.names'),
      tags: tags.map((t, i) => {
        const o = obj(t, `distributorPrincipals.tags.${i}`);
        return {
          key: str(o.key, `distributorPrincipals.tags.${i}.key`),
          value: typeof o.value === 'string' ? o.value : str(o.value, `distributorPrincipals.tags.${i}.value`),
        };
      }),
    },
    rootLookbackDays: int(x.rootLookbackDays, 'rootLookbackDays', 1, 90),
    approvedRootWindows,
    accessMaxAgeHours: int(x.accessMaxAgeHours, 'accessMaxAgeHours', 1, 24 * 90),
    hubPrincipalArn: str(
      x.hubPrincipalArn,
      'hubPrincipalArn',
      HUB_PRINCIPAL_ARN_RE,
      'expected an IAM role ARN such as arn:aws:iam::111111111111:role/PayerGuardHub',
    ),
    suppressionMaxDays: int(x.suppressionMaxDays, 'suppressionMaxDays', 1, SUPPRESSION_MAX_DAYS_LIMIT),
    apiTokenMaxDays: int(x.apiTokenMaxDays, 'apiTokenMaxDays', 1, API_TOKEN_MAX_DAYS_LIMIT),
    evidenceRetentionDays: int(x.evidenceRetentionDays, 'evidenceRetentionDays', 1, EVIDENCE_RETENTION_DAYS_LIMIT),
  };
  const hubOfPrincipal = HUB_PRINCIPAL_ARN_RE.exec(settings.hubPrincipalArn)?.[1];
  if (hubOfPrincipal && settings.hubAccountId && hubOfPrincipal !== settings.hubAccountId)
    err('hubPrincipalArn', `must be a role in the hub account ${settings.hubAccountId}`);
  return errors.length ? { ok: false, errors } : { ok: true, settings };
}

/**
 * The distributor settings in force. Defaults when nothing was saved; a stored row from an older version is merged
 * over the defaults so fields added later get their default instead of breaking controls.
 */
export async function loadSettings(db: Db): Promise<DistributorSettings> {
  const [row] = await db.select().from(settingsTable).where(eq(settingsTable.id, 1));
  const defaults = defaultSettings();
  if (!row) return defaults;
  const stored = row.data as Partial<DistributorSettings>;
  const merged = {
    ...defaults,
    ...stored,
    boundary: { ...defaults.boundary, ...(stored.boundary ?? {}) },
    protectedResources: { ...defaults.protectedResources, ...(stored.protectedResources ?? {}) },
    distributorPrincipals: { ...defaults.distributorPrincipals, ...(stored.distributorPrincipals ?? {}) },
  };
  const v = validateSettings(merged);
  // A row that no longer validates (edited by hand) must not take the service down; the defaults fill the gaps.
  return v.ok ? v.settings : merged;
}

/** Validates and stores the settings (one row); returns the field errors instead of storing when invalid. */
export async function saveSettings(db: Db, input: unknown, updatedBy: string): Promise<SettingsValidation> {
  const v = validateSettings(input);
  if (!v.ok) return v;
  const now = new Date();
  await db
    .insert(settingsTable)
    .values({ id: 1, data: v.settings, updatedAt: now, updatedBy })
    .onConflictDoUpdate({ target: settingsTable.id, set: { data: v.settings, updatedAt: now, updatedBy } });
  return v;
}
