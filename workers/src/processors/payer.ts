import type { Config, Db, DistributorSettings, Logger, PayerEvidence } from '@payerguard/core';
import { schema } from '@payerguard/core';
import { evaluatePayer, evaluationFingerprint } from '@payerguard/core/engine/evaluate';
import type { PayerJobData } from '@payerguard/core/queue/names';
import { liveRootEventsFor, withLiveRootEvents } from '@payerguard/core/root-events/live';
import { loadSettings } from '@payerguard/core/settings-store';
import { type Job, UnrecoverableError } from 'bullmq';
import { eq } from 'drizzle-orm';
import { safeMessage } from '../aws/call.js';
import { type CollectOptions, callStats, collectPayer } from '../collect-payer.js';
import { handBack } from './foreign.js';
import { markRetrying, markRunning, recordOutcome } from './outcome.js';

export interface PayerProcessorDeps {
  db: Db;
  config: Config;
  logger: Logger;
  /** Overrides for tests (timeouts, endpoint); the rest comes from config. */
  collect?: Partial<Omit<CollectOptions, 'logger'>>;
}

/** AssumeRole failures that a retry cannot fix: the role, its trust or the registry is wrong. */
function deterministic(access: Exclude<PayerEvidence['access'], { status: 'ok' }>): boolean {
  return access.status === 'denied' || access.status === 'malformed' || access.errorCode === 'AccountMismatch';
}

export function payerProcessor(deps: PayerProcessorDeps) {
  const { db, config, logger } = deps;
  return async (job: Job<PayerJobData>, token?: string): Promise<{ status: string; errorCode?: string }> => {
    const { runId, partnerId, payerAccountId } = job.data;
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const log = logger.child({ runId, partnerId, payerAccountId, attempt: job.attemptsMade + 1 });
    const state = await markRunning(db, runId, payerAccountId);
    if (state === 'recorded') return { status: 'already-recorded' };
    if (state === 'unknown') return handBack(job, token, `run ${runId} payer ${payerAccountId}`);

    const [payer] = await db.select().from(schema.payers).where(eq(schema.payers.accountId, payerAccountId));
    if (!payer) {
      await recordOutcome(db, {
        runId,
        partnerId,
        payerAccountId,
        status: 'failed',
        errorCode: 'PayerRemoved',
        errorMessage: 'the payer was removed from the registry after the run started',
      });
      return { status: 'failed', errorCode: 'PayerRemoved' };
    }

    let evidence: PayerEvidence;
    let settings: DistributorSettings;
    try {
      settings = await loadSettings(db);
      evidence = await collectPayer(
        { partnerId, payerAccountId, roleArn: payer.roleArn, externalId: payer.externalId },
        settings,
        {
          region: config.awsRegion,
          // The SDK reads AWS_ENDPOINT_URL (and the per-service variables, which must win) by itself.
          ...(config.awsEndpointUrl && !process.env.AWS_ENDPOINT_URL ? { endpoint: config.awsEndpointUrl } : {}),
          ...deps.collect,
          logger: log,
        },
      );
      // Root events the monitor delivered live count like the ones LookupEvents returned (same eventID kept once).
      const live = await liveRootEventsFor(db, [payerAccountId]);
      evidence = withLiveRootEvents(evidence, live.get(payerAccountId) ?? []);
    } catch (err) {
      // Collectors turn AWS failures into Calls; reaching here is a bug or the database failing.
      const message = safeMessage(err);
      log.error({ err: message }, 'payer collection crashed');
      if (last)
        await recordOutcome(db, {
          runId,
          partnerId,
          payerAccountId,
          status: 'failed',
          errorCode: 'CollectorError',
          errorMessage: message,
        });
      else await markRetrying(db, runId, payerAccountId, 'CollectorError', message);
      throw err instanceof Error ? err : new Error(message);
    }

    const stats = callStats(evidence);
    const access = evidence.access;
    const evaluated = evaluateAhead(evidence, settings, payer.lastAccessOkAt ?? undefined, log);
    if (access.status === 'ok') {
      await recordOutcome(db, {
        runId,
        partnerId,
        payerAccountId,
        status: 'collected',
        callStats: stats,
        evidence,
        ...(evaluated ? { evaluated } : {}),
      });
      log.info({ stats }, 'payer collected');
      return { status: 'collected' };
    }
    const message = `${access.api}: ${access.message}`;
    if (deterministic(access) || last) {
      await recordOutcome(db, {
        runId,
        partnerId,
        payerAccountId,
        status: 'failed',
        errorCode: access.errorCode,
        errorMessage: message,
        callStats: stats,
        evidence,
        ...(evaluated ? { evaluated } : {}),
      });
      log.warn({ errorCode: access.errorCode, status: access.status }, 'payer failed');
      // Recorded: BullMQ should not retry a denial, and the parent must still run (ignoreDependencyOnFailure).
      throw new UnrecoverableError(`${access.errorCode}: ${message}`);
    }
    await markRetrying(db, runId, payerAccountId, access.errorCode, message);
    log.info({ errorCode: access.errorCode, status: access.status }, 'payer access failed; will retry');
    throw new Error(`${access.errorCode}: ${message}`);
  };
}

/**
 * Evaluates the controls here, in the payer job, so the CPU-bound part of scoring (policy simulation) spreads over
 * the workers and overlaps other payers' network waits; the run's parent then only aggregates. Uses what scoreRun
 * would: the evidence's own collection time, and the last successful access as recordOutcome is about to leave it.
 * A failure only means scoreRun evaluates this payer itself.
 */
function evaluateAhead(
  evidence: PayerEvidence,
  settings: DistributorSettings,
  previousAccessOk: Date | undefined,
  log: Logger,
): { findings: ReturnType<typeof evaluatePayer>; fingerprint: string } | undefined {
  try {
    const now = new Date(evidence.collectedAt);
    const lastAccessOkAt = evidence.access.status === 'ok' ? now : previousAccessOk;
    return {
      findings: evaluatePayer(evidence, { settings, now, ...(lastAccessOkAt ? { lastAccessOkAt } : {}) }),
      fingerprint: evaluationFingerprint(settings),
    };
  } catch (err) {
    log.warn({ err: safeMessage(err) }, 'evaluation ahead of scoring failed; the run will evaluate this payer');
    return undefined;
  }
}
