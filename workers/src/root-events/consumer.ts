import { DeleteMessageCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Config, Db, Logger } from '@payerguard/core';
import { schema } from '@payerguard/core';
import { alertsForRun } from '@payerguard/core/alerts/from-run';
import { rootActivityPayload } from '@payerguard/core/alerts/messages';
import type { Alert } from '@payerguard/core/alerts/raise';
import { markAlerted, markRescored, recordReject, storeRootEvent } from '@payerguard/core/root-events/live';
import { rescorePartner } from '@payerguard/core/root-events/rescore';
import { type RootEventsStatus, writeRootEventsStatus } from '@payerguard/core/root-events/status';
import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { safeMessage } from '../aws/call.js';
import { parseRootEventMessage, UnreadableRootEvent } from './message.js';

export interface RootEventConsumerDeps {
  db: Db;
  config: Config;
  logger: Logger;
  redis: Redis;
  prefix: string;
  queueUrl: string;
  raise: (alert: Alert) => Promise<number>;
  /** Long-poll wait per receive, seconds (SQS allows up to 20). */
  waitSeconds?: number;
  /** Longest pause after the queue could not be reached. */
  maxBackoffMs?: number;
}

const MAX_MESSAGES = 10;

/**
 * Long-polls the hub queue of root events. Per message: read it (an unreadable one is stored as a reject and deleted:
 * never retried for ever), store the event once by its CloudTrail eventID, raise the root-activity alert (once per
 * channel and event), delete the message, and re-score the partner in the background so the event counts in its
 * findings. A message
 * whose processing failed (the database down) is left on the queue: SQS shows it again after the visibility timeout,
 * and the queue's redrive policy moves it to the dead-letter queue after maxReceiveCount. An unreachable queue is
 * reported on /api/health and retried with back-off; it never stops the process.
 */
export function startRootEventConsumer(deps: RootEventConsumerDeps): { close(): Promise<void> } {
  const { db, config, logger, queueUrl } = deps;
  const log = logger.child({ component: 'root-events' });
  const wait = deps.waitSeconds ?? 20;
  const maxBackoff = deps.maxBackoffMs ?? 30_000;
  const sqs = new SQSClient({
    region: config.awsRegion,
    ...(config.awsEndpointUrl && !process.env.AWS_ENDPOINT_URL ? { endpoint: config.awsEndpointUrl } : {}),
    // Our loop retries; the SDK must not stack its own retries on a long poll.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: (wait + 10) * 1000, throwOnRequestTimeout: true },
  });
  const status: RootEventsStatus = {
    ok: false,
    queueUrl,
    lastPollAt: new Date().toISOString(),
    lastOkAt: null,
    lastError: null,
    received: 0,
    stored: 0,
    duplicates: 0,
    rejected: 0,
  };
  const report = () => writeRootEventsStatus(deps.redis, deps.prefix, status).catch(() => {});
  const stop = new AbortController();
  const rescorer = startRescorer();

  /**
   * Re-scores partners one at a time in the background, coalescing: events of a partner that arrive while it waits
   * (or is being re-scored) share one re-score. Events stored but not yet re-scored when the process stopped are
   * picked up again at start (rescore_run_id and rescore_error both null).
   */
  function startRescorer() {
    const pending = new Map<string, Set<string>>();
    let running: Promise<void> | undefined;
    const drain = async () => {
      while (pending.size && !stop.signal.aborted) {
        const [partnerId, ids] = pending.entries().next().value as [string, Set<string>];
        pending.delete(partnerId);
        const eventIds = [...ids];
        try {
          const r = await rescorePartner(db, partnerId, { requestedBy: `root-event:${eventIds[0]}` });
          await markRescored(db, eventIds, r ? { runId: r.runId } : { error: 'the partner has never been collected' });
          if (r) {
            for (const alert of await alertsForRun(db, r.runId)) await deps.raise(alert);
            log.info({ partnerId, runId: r.runId, events: eventIds.length }, 'partner re-scored with live root events');
          }
        } catch (e) {
          // The event is stored and counts at the next collection; a failed re-score is recorded, not retried here.
          const error = safeMessage(e);
          await markRescored(db, eventIds, { error }).catch(() => {});
          log.error({ partnerId, err: error }, 're-scoring after a live root event failed');
        }
      }
    };
    const kick = () => {
      running ??= drain().finally(() => {
        running = undefined;
        if (pending.size && !stop.signal.aborted) kick();
      });
    };
    return {
      add(partnerId: string, eventIds: string[]) {
        const set = pending.get(partnerId) ?? new Set<string>();
        for (const id of eventIds) set.add(id);
        pending.set(partnerId, set);
        kick();
      },
      async resume() {
        const rows = await db
          .select({ eventId: schema.rootEvents.eventId, partnerId: schema.rootEvents.partnerId })
          .from(schema.rootEvents)
          .where(
            and(
              isNull(schema.rootEvents.rescoreRunId),
              isNull(schema.rootEvents.rescoreError),
              isNotNull(schema.rootEvents.partnerId),
            ),
          )
          .limit(1000);
        for (const r of rows) this.add(r.partnerId!, [r.eventId]);
        return rows.length;
      },
      idle: () => running ?? Promise.resolve(),
    };
  }

  async function handleBatch(messages: Message[]): Promise<void> {
    const done: Message[] = [];
    const toRescore = new Map<string, string[]>();
    for (const m of messages) {
      status.received++;
      let parsed: ReturnType<typeof parseRootEventMessage>;
      try {
        parsed = parseRootEventMessage(m.Body, m.MessageId);
      } catch (e) {
        const error = e instanceof UnreadableRootEvent ? e.message : `unexpected: ${safeMessage(e)}`;
        try {
          await recordReject(db, { messageId: m.MessageId, body: m.Body ?? '', error });
          status.rejected++;
          done.push(m);
          log.warn({ messageId: m.MessageId, error }, 'root event message set aside');
        } catch (dbErr) {
          log.error({ messageId: m.MessageId, err: safeMessage(dbErr) }, 'could not record a rejected message');
        }
        continue;
      }
      try {
        const { inserted, row } = await storeRootEvent(db, parsed);
        if (inserted) status.stored++;
        else status.duplicates++;
        if (!row.alertedAt) {
          const partnerName = row.partnerId
            ? ((
                await db
                  .select({ name: schema.partners.name })
                  .from(schema.partners)
                  .where(eq(schema.partners.id, row.partnerId))
              )[0]?.name ?? null)
            : null;
          await deps.raise({
            event: 'root-activity',
            dedupeKey: `root-activity:${row.eventId}`,
            partnerId: row.partnerId,
            payload: rootActivityPayload(parsed.event, {
              partnerId: row.partnerId,
              partnerName,
              region: parsed.region,
              raisedAt: new Date(),
            }),
          });
          await markAlerted(db, row.eventId);
        }
        if (row.partnerId && !row.rescoreRunId)
          toRescore.set(row.partnerId, [...(toRescore.get(row.partnerId) ?? []), row.eventId]);
        if (inserted)
          log.info(
            { eventId: row.eventId, accountId: row.accountId, partnerId: row.partnerId, eventName: row.eventName },
            'live root event stored',
          );
        done.push(m);
      } catch (e) {
        // Left on the queue: redelivered after the visibility timeout, dead-lettered after maxReceiveCount.
        log.error(
          { messageId: m.MessageId, err: safeMessage(e) },
          'root event could not be processed; left on the queue',
        );
      }
    }
    // Re-scores run beside the poll loop: the next event's alert must not wait for this partner's policy analysis.
    for (const [partnerId, eventIds] of toRescore) rescorer.add(partnerId, eventIds);
    for (const m of done) {
      try {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      } catch (e) {
        // Redelivered later and recognised by its eventID: nothing is stored or alerted twice.
        log.warn({ messageId: m.MessageId, err: safeMessage(e) }, 'could not delete a processed message');
      }
    }
  }

  const loop = (async () => {
    let backoff = 1_000;
    await report();
    const resumed = await rescorer.resume().catch((e: unknown) => {
      log.warn({ err: safeMessage(e) }, 'could not look for live root events left without a re-score');
      return 0;
    });
    if (resumed) log.info({ events: resumed }, 'live root events left without a re-score: re-scoring');
    while (!stop.signal.aborted) {
      let messages: Message[];
      try {
        const r = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: MAX_MESSAGES,
            WaitTimeSeconds: wait,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: stop.signal },
        );
        messages = r.Messages ?? [];
        const now = new Date().toISOString();
        Object.assign(status, { ok: true, lastPollAt: now, lastOkAt: now, lastError: null });
        backoff = 1_000;
        await report();
      } catch (e) {
        if (stop.signal.aborted) break;
        const err = e as { name?: string; message?: string };
        const error = `${err.name ?? 'Error'}: ${safeMessage(e)}`;
        if (status.ok || status.lastError !== error) log.warn({ queueUrl, err: error }, 'root event queue unreachable');
        Object.assign(status, { ok: false, lastPollAt: new Date().toISOString(), lastError: error });
        await report();
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, backoff);
          stop.signal.addEventListener('abort', () => {
            clearTimeout(t);
            resolve();
          });
        });
        backoff = Math.min(backoff * 2, maxBackoff);
        continue;
      }
      if (messages.length) await handleBatch(messages);
    }
  })();

  log.info({ queueUrl, waitSeconds: wait }, 'root event consumer started');
  return {
    async close() {
      stop.abort();
      await loop.catch(() => {});
      await rescorer.idle().catch(() => {});
      sqs.destroy();
    },
  };
}
