import type { Call, CallFailed, CallStatus } from '@payerguard/core';

/**
 * Turns one AWS call (or a paginated series of them) into a Call<T>: its data, or why it could not be had, so a
 * control can tell "no" from "could not see".
 */

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AccessDeniedFault',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'AuthFailure',
]);
// Not here on purpose: ExpiredToken (our session outlived its lifetime: refresh, not a permission problem) and
// AWSOrganizationsNotInUseException (an answer: the account is in no organization).

/** Our session token outlived its lifetime (IAM answers it with HTTP 403): refresh the session, it is no denial. */
export const EXPIRED_TOKEN = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);

const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'LimitExceededException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);

const TIMEOUT = new Set([
  'TimeoutError',
  'AbortError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ETIMEDOUT',
  'ECONNRESET',
  'ESOCKETTIMEDOUT',
]);

/** Errors a collector raises itself when an answer does not have the shape AWS documents. */
export class MalformedAnswer extends Error {
  override name = 'MalformedAnswer';
}

interface AwsLikeError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $metadata?: { requestId?: string; httpStatusCode?: number };
  $response?: unknown;
}

export function errorCodeOf(err: unknown): string {
  const e = (err ?? {}) as AwsLikeError;
  return e.Code || (typeof e.code === 'string' ? e.code : undefined) || e.name || 'Error';
}

export function classify(err: unknown): CallStatus {
  const e = (err ?? {}) as AwsLikeError;
  const code = errorCodeOf(err);
  const names = [code, e.name ?? ''];
  if (names.some((n) => EXPIRED_TOKEN.has(n))) return 'error';
  if (names.some((n) => DENIED.has(n))) return 'denied';
  if (names.some((n) => THROTTLED.has(n))) return 'throttled';
  if (names.some((n) => TIMEOUT.has(n))) return 'timeout';
  if (err instanceof MalformedAnswer || names.includes('ResponseTooLarge') || err instanceof SyntaxError)
    return 'malformed';
  // The SDK's deserializers report unparseable XML/JSON with the raw response attached and a "Deserialization" hint.
  const msg = e.message ?? '';
  if (/deserializ|unexpected token|not valid json|invalid xml|unexpected end|non-whitespace/i.test(msg))
    return 'malformed';
  if (e.$metadata?.httpStatusCode === 403) return 'denied';
  if (e.$metadata?.httpStatusCode === 429) return 'throttled';
  return 'error';
}

/** A short message safe to store and show: the first line, without anything that looks like a credential. */
export function safeMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return (raw.split('\n')[0] ?? '')
    .replace(/(ASIA|AKIA)[A-Z0-9]{12,}/g, '[redacted]')
    .replace(/(Signature|Credential|X-Amz-Security-Token)=[^&\s,]+/gi, '$1=[redacted]')
    .slice(0, 500);
}

export function failed(api: string, err: unknown, requestIds?: string[]): CallFailed {
  const e = (err ?? {}) as AwsLikeError;
  const ids = [...(requestIds ?? []), ...(e.$metadata?.requestId ? [e.$metadata.requestId] : [])];
  const status = classify(err) as CallFailed['status'];
  const code = errorCodeOf(err);
  return {
    status,
    api,
    // Socket-level timeouts carry Node's codes; one name for every client-side timeout keeps findings comparable.
    errorCode: status === 'timeout' && /^(E[A-Z]+|AbortError)$/.test(code) ? 'TimeoutError' : code,
    message: safeMessage(err),
    ...(ids.length ? { requestIds: ids } : {}),
  };
}

/** Collects request ids across the pages of one logical call (for audit trails). */
export class RequestIds {
  readonly ids: string[] = [];
  add(out: { $metadata?: { requestId?: string } }): void {
    if (out.$metadata?.requestId && this.ids.length < 50) this.ids.push(out.$metadata.requestId);
  }
}

/**
 * Runs `fn` with a deadline covering all of its pages and retries (each HTTP attempt also has its own timeout in the
 * client). `fn` receives the AbortSignal to hand to every `client.send`; it records request ids into `ids`.
 */
export async function capture<T>(
  api: string,
  budgetMs: number,
  fn: (signal: AbortSignal, ids: RequestIds) => Promise<T>,
): Promise<Call<T>> {
  const ids = new RequestIds();
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), budgetMs);
  try {
    const data = await Promise.race([
      fn(ctrl.signal, ids),
      // Belt and braces: a promise that ignores the signal still cannot outlive the deadline.
      new Promise<never>((_, reject) =>
        ctrl.signal.addEventListener('abort', () => {
          const e = new Error(`${api} did not answer within ${budgetMs} ms`);
          e.name = 'TimeoutError';
          reject(e);
        }),
      ),
    ]);
    return { status: 'ok', api, data, ...(ids.ids.length ? { requestIds: ids.ids } : {}) };
  } catch (err) {
    if (ctrl.signal.aborted) {
      return {
        status: 'timeout',
        api,
        errorCode: 'TimeoutError',
        message: `${api} did not answer within ${budgetMs} ms`,
        ...(ids.ids.length ? { requestIds: ids.ids } : {}),
      };
    }
    return failed(api, err, ids.ids);
  } finally {
    clearTimeout(timer);
  }
}
