import { type Call, type DistributorSettings, isOk, type Logger, type PayerEvidence } from '@payerguard/core';
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_TIMEOUT_MS,
  type SessionCredentials,
  type SessionOptions,
} from './aws/client-options.js';
import { refreshingSession } from './aws/session.js';
import { collectAccount } from './collectors/account.js';
import { collectCloudTrail } from './collectors/cloudtrail.js';
import type { CollectorContext } from './collectors/context.js';
import { collectCostExplorer } from './collectors/costexplorer.js';
import { collectEventBridge } from './collectors/eventbridge.js';
import { collectBillingRole, collectIam } from './collectors/iam.js';
import { collectOrganizations } from './collectors/organizations.js';
import { collectRegionScope } from './collectors/regions.js';
import { assumeCollectorRole, getCallerIdentity } from './collectors/sts.js';
import { allLimited } from './limit.js';

export interface PayerTarget {
  partnerId: string;
  payerAccountId: string;
  roleArn: string;
  /** Never logged, never stored in evidence. */
  externalId: string;
}

export interface CollectOptions {
  /** Overrides AWS_ENDPOINT_URL; unset means the SDK's own resolution (the env variables, or real AWS). */
  endpoint?: string;
  region: string;
  logger: Logger;
  /** The hub's credentials for AssumeRole; unset means the SDK's default chain (env, profile, instance role). */
  hubCredentials?: SessionCredentials;
  /** Per HTTP attempt; a paginated call gets a larger budget (see collectors/context.ts). */
  timeoutMs?: number;
  maxAttempts?: number;
  /** Collectors running at once for this payer. */
  parallelism?: number;
  now?: Date;
  /** Renew the assumed-role session when less than this is left (default 5 minutes; tests shorten sessions). */
  sessionRefreshMarginMs?: number;
}

/**
 * Everything one payer shows the distributor: AssumeRole (ExternalId) into the collector role, confirm who the
 * session is, then every collector. If the role cannot be assumed, the evidence says so and holds nothing else.
 */
export async function collectPayer(
  target: PayerTarget,
  settings: DistributorSettings,
  opts: CollectOptions,
): Promise<PayerEvidence> {
  const now = opts.now ?? new Date();
  const session: SessionOptions = {
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  };
  const log = opts.logger.child({ partnerId: target.partnerId, payerAccountId: target.payerAccountId });
  const base = {
    schemaVersion: 1 as const,
    payerAccountId: target.payerAccountId,
    partnerId: target.partnerId,
    collectedAt: now.toISOString(),
  };

  const assumed = await assumeCollectorRole(target, session, opts.hubCredentials);
  if (!isOk(assumed.call) || !assumed.credentials) {
    const access = assumed.call as Exclude<Call<unknown>, { status: 'ok' }>;
    log.warn({ status: access.status, errorCode: access.errorCode }, 'collector role could not be assumed');
    return { ...base, access };
  }
  // Renewed before it expires: a long collection must not end in ExpiredToken (which is no permission problem).
  const renewing = refreshingSession(
    assumed.credentials,
    async () => {
      const again = await assumeCollectorRole(target, session, opts.hubCredentials);
      if (again.credentials) return again.credentials;
      const failedCall = again.call as Exclude<Call<unknown>, { status: 'ok' }>;
      const err = new Error(`renewing the collector session failed: ${failedCall.message}`);
      err.name = failedCall.errorCode;
      throw err;
    },
    opts.sessionRefreshMarginMs !== undefined ? { marginMs: opts.sessionRefreshMarginMs } : {},
  );
  const credentials = renewing.provider;
  // Rate limits and retry state are the payer's account's: the account the role lives in, confirmed just below.
  const access = await getCallerIdentity(target.roleArn, session, credentials, target.payerAccountId);
  if (!isOk(access)) {
    log.warn({ status: access.status, errorCode: access.errorCode }, 'GetCallerIdentity failed after AssumeRole');
    return { ...base, access };
  }
  if (access.data.accountId !== target.payerAccountId) {
    // Evidence from another account must never be filed under this payer.
    return {
      ...base,
      access: {
        status: 'error',
        api: access.api,
        errorCode: 'AccountMismatch',
        message: `the collector role answered for account ${access.data.accountId}, not the payer ${target.payerAccountId}`,
      },
    };
  }

  const baseCtx: CollectorContext = { session, credentials, settings, accountId: target.payerAccountId, now };
  // Root events and monitor rules are regional: find the payer's regions before the collectors that read them.
  const regions = await collectRegionScope(baseCtx);
  const ctx: CollectorContext = { ...baseCtx, regions: regions.read };
  const [organizations, account, iam, cloudtrail, eventbridge, costExplorer, billingRole] = (await allLimited<unknown>(
    [
      () => collectOrganizations(ctx),
      () => collectAccount(ctx),
      () => collectIam(ctx),
      () => collectCloudTrail(ctx),
      () => collectEventBridge(ctx),
      () => collectCostExplorer(ctx),
      () => collectBillingRole(ctx),
    ],
    opts.parallelism ?? 4,
  )) as [
    PayerEvidence['organizations'],
    PayerEvidence['account'],
    PayerEvidence['iam'],
    PayerEvidence['cloudtrail'],
    PayerEvidence['eventbridge'],
    PayerEvidence['costExplorer'],
    PayerEvidence['billingRole'],
  ];
  const evidence: PayerEvidence = {
    ...base,
    access,
    regions,
    organizations,
    account,
    iam,
    cloudtrail,
    eventbridge,
    costExplorer,
    billingRole,
  };
  // Counting walks the whole evidence: only when someone reads the line.
  if (log.isLevelEnabled?.('debug'))
    log.debug({ stats: callStats(evidence), sessionRenewals: renewing.renewals() }, 'payer collected');
  return evidence;
}

/** Every Call in a PayerEvidence, wherever it sits. */
export function callsOf(e: PayerEvidence): Call<unknown>[] {
  const out: Call<unknown>[] = [];
  // Regional evidence shares objects (eventbridge.rules is us-east-1's byRegion entry): count each call once.
  const seen = new Set<object>();
  const visit = (v: unknown) => {
    if (!v || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    const o = v as Record<string, unknown>;
    if (typeof o.status === 'string' && typeof o.api === 'string') {
      out.push(o as unknown as Call<unknown>);
      return;
    }
    for (const k of Object.keys(o)) visit(o[k]);
  };
  const { access, billingRole, organizations, account, iam, cloudtrail, eventbridge, costExplorer, regions } = e;
  // The merged root events summarise the per-region calls; count the regions' calls, not the summary as well.
  const trail = cloudtrail?.rootEventsByRegion ? { ...cloudtrail, rootEvents: undefined } : cloudtrail;
  visit({ access, billingRole, organizations, account, iam, cloudtrail: trail, eventbridge, costExplorer, regions });
  return out;
}

/** Count of calls by status, stored with the payer's outcome (run_payers.call_stats). */
export function callStats(e: PayerEvidence): Record<string, number> {
  const stats: Record<string, number> = {};
  for (const c of callsOf(e)) stats[c.status] = (stats[c.status] ?? 0) + 1;
  return stats;
}
