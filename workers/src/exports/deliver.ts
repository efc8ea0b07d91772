import { createHmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type Db, deliveryAllowPrivateNetworks } from '@payerguard/core';
import { ALERT_DELIVERY_HEADER, ALERT_EVENT_HEADER } from '@payerguard/core/alerts/events';
import {
  BlockedTargetError,
  checkDeliveryUrl,
  type DeliveryTargetPolicy,
  guardedLookup,
  PRIVATE_TARGET_MESSAGE,
} from '@payerguard/core/delivery/address-guard';
import type { ScheduleDelivery } from '@payerguard/core/exports/schedules';
import { SIGNATURE_HEADER, signBody } from '@payerguard/core/exports/signature';
import { type ExportRecord, readExportContent } from '@payerguard/core/exports/store';

/** What one delivery attempt reports back; the message ends up on the export, so it never carries secrets. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
}

export const WEBHOOK_TIMEOUT_MS = 30_000;

/**
 * Every delivery connects through here: the address rule (core/src/delivery/address-guard.ts) is applied after DNS
 * resolution by the agents' lookup, and to address literals (which skip DNS) before connecting. Callers may pass the
 * policy; when they do not, it is read from DELIVERY_ALLOW_PRIVATE_NETWORKS, so no sending path goes unguarded.
 */
export function deliveryPolicy(policy?: Partial<DeliveryTargetPolicy>): DeliveryTargetPolicy {
  return { allowPrivateNetworks: policy?.allowPrivateNetworks ?? deliveryAllowPrivateNetworks() };
}

export function guardedAgents(policy: DeliveryTargetPolicy) {
  const lookup = guardedLookup(policy);
  return { httpAgent: new HttpAgent({ lookup }), httpsAgent: new HttpsAgent({ lookup }) };
}

/**
 * What a failed connection is recorded as. Refused, reset, timed out and unresolvable all read the same, so the
 * delivery log cannot be used to tell which ports of which hosts are open.
 */
function networkFailure(where: string, e: unknown): DeliveryError {
  if (e instanceof DeliveryError) return e;
  if (e instanceof BlockedTargetError || (e as { code?: string })?.code === 'EDELIVERYBLOCKED')
    return new DeliveryError(`${where}: refused: ${PRIVATE_TARGET_MESSAGE}`);
  return new DeliveryError(`${where}: could not be reached (network error)`);
}

/**
 * S3 through the SDK's PutObject, so AWS_ENDPOINT_URL(_S3) reaches a simulator or an S3-compatible store the same way
 * it reaches AWS. Path-style addressing whenever an endpoint is set: local stand-ins have no per-bucket DNS.
 */
export function s3ClientFor(region: string, endpoint?: string, policy?: Partial<DeliveryTargetPolicy>): S3Client {
  const ep = endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  return new S3Client({
    region,
    // An endpoint is the operator's own configuration (a simulator, an S3-compatible store) and is trusted as such.
    // Without one the host is "<bucket>.s3.<region>.amazonaws.com" and the bucket is typed by a person: its
    // resolved addresses are checked like any delivery target's.
    ...(ep ? { endpoint: ep, forcePathStyle: true } : { requestHandler: guardedAgents(deliveryPolicy(policy)) }),
    maxAttempts: 2,
    // A plain signed PUT of known length: aws-chunked trailing checksums are not spoken by every S3-compatible store.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

export async function deliverToS3(
  db: Db,
  s3: S3Client,
  rec: ExportRecord,
  target: NonNullable<ScheduleDelivery['s3']>,
): Promise<string> {
  const key = `${target.prefix}${rec.fileName ?? `${rec.id}.${rec.format}`}`;
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: key,
        Body: readExportContent(db, rec.id, rec.sizeBytes ?? 0),
        ContentLength: rec.sizeBytes ?? 0,
        ContentType: rec.contentType ?? 'application/octet-stream',
        Metadata: { 'payerguard-export-id': rec.id, 'payerguard-sha256': rec.sha256 ?? '' },
      }),
    );
  } catch (e) {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    // An answer from S3 (AccessDenied, NoSuchBucket) is worth recording; a failure to connect says nothing more.
    if (!err.$metadata?.httpStatusCode) throw networkFailure(`S3 PutObject s3://${target.bucket}/${key}`, e);
    throw new DeliveryError(
      `S3 PutObject s3://${target.bucket}/${key} failed: ${err.name ?? 'Error'} ${err.$metadata.httpStatusCode}`.trim(),
    );
  }
  return `s3://${target.bucket}/${key}`;
}

/**
 * POSTs the export file itself. The HMAC covers the exact bytes sent, so it is computed in a first pass over the
 * stored file and the body streamed in a second: neither pass holds the file in memory.
 */
export async function deliverToWebhook(
  db: Db,
  rec: ExportRecord,
  url: string,
  secret: string,
  policy?: Partial<DeliveryTargetPolicy>,
): Promise<string> {
  const size = rec.sizeBytes ?? 0;
  const hmac = createHmac('sha256', secret);
  for await (const chunk of readExportContent(db, rec.id, size)) hmac.update(chunk as Buffer);
  const signature = `sha256=${hmac.digest('hex')}`;
  return postToWebhook(
    url,
    {
      'content-type': rec.contentType ?? 'application/octet-stream',
      'content-length': String(size),
      'content-disposition': `attachment; filename="${rec.fileName ?? rec.id}"`,
      [SIGNATURE_HEADER]: signature,
      'x-payerguard-export-id': rec.id,
      'x-payerguard-sha256': rec.sha256 ?? '',
      ...(rec.scheduleId ? { 'x-payerguard-schedule-id': rec.scheduleId } : {}),
      'user-agent': 'payerguard-export-delivery',
    },
    () => readExportContent(db, rec.id, size),
    policy,
  );
}

/**
 * The one HTTP poster of every webhook delivery (exports and alerts): refuses targets the address rule forbids (before
 * connecting for address literals, after DNS for names), POSTs the body, resolves with where it went (scheme, host and
 * path: never the query, which may hold a token) on a 2xx, and rejects with a DeliveryError otherwise.
 */
export async function postToWebhook(
  url: string,
  headers: Record<string, string>,
  body: () => Readable | Buffer,
  policy?: Partial<DeliveryTargetPolicy>,
): Promise<string> {
  const rule = deliveryPolicy(policy);
  const u = new URL(url);
  const dest = `${u.protocol}//${u.host}${u.pathname}`;
  const where = `webhook ${dest}`;
  // Checked again at send time: the URL may predate the rule, and address literals never reach the DNS lookup.
  const problem = checkDeliveryUrl(url, rule);
  if (problem) throw new DeliveryError(`${where}: refused: ${problem}`);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  const agents = guardedAgents(rule);
  await new Promise<void>((resolve, reject) => {
    const req = send(
      u,
      {
        method: 'POST',
        timeout: WEBHOOK_TIMEOUT_MS,
        agent: u.protocol === 'https:' ? agents.httpsAgent : agents.httpAgent,
        headers,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new DeliveryError(`${where} answered HTTP ${status}`));
        });
      },
    );
    req.on('timeout', () => req.destroy(networkFailure(where, new Error('timeout'))));
    req.on('error', (e) => reject(networkFailure(where, e)));
    const b = body();
    if (Buffer.isBuffer(b)) req.end(b);
    else {
      b.on('error', (e) => req.destroy(e));
      b.pipe(req);
    }
  }).finally(() => {
    agents.httpAgent.destroy();
    agents.httpsAgent.destroy();
  });
  return dest;
}

/** An alert: Slack-compatible JSON, signed like export webhooks (HMAC-SHA256 of the exact bytes sent). */
export function deliverAlertToWebhook(
  url: string,
  payload: unknown,
  secret: string,
  meta: { deliveryId: string; event: string },
): Promise<string> {
  const body = Buffer.from(JSON.stringify(payload));
  return postToWebhook(
    url,
    {
      'content-type': 'application/json',
      'content-length': String(body.length),
      [SIGNATURE_HEADER]: signBody(body, secret),
      [ALERT_EVENT_HEADER]: meta.event,
      [ALERT_DELIVERY_HEADER]: meta.deliveryId,
      'user-agent': 'payerguard-alert-delivery',
    },
    () => body,
  );
}
