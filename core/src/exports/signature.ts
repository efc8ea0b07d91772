import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Header a webhook receiver checks: `sha256=<hex HMAC-SHA256 of the raw body with the schedule's secret>`. */
export const SIGNATURE_HEADER = 'X-PayerGuard-Signature';

export const signBody = (body: Buffer | string, secret: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** Constant-time check, as a receiver should do it (docs/exports.md shows the same in a few lines). */
export function verifySignature(body: Buffer | string, secret: string, header: string | undefined): boolean {
  if (!header) return false;
  const want = Buffer.from(signBody(body, secret));
  const got = Buffer.from(header.trim());
  return want.length === got.length && timingSafeEqual(want, got);
}

export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;
