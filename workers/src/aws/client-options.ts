import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable, Transform } from 'node:stream';

/** Temporary credentials from STS AssumeRole (or the hub's own). Never logged. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Where and how a collector session reaches AWS (or the simulator, by endpoint only). */
export interface SessionOptions {
  region: string;
  /** Overrides AWS_ENDPOINT_URL for every service (tests); unset means the SDK resolves it (env or real AWS). */
  endpoint?: string;
  /** Per AWS call, including its retries: a hung endpoint must not hang a job. */
  timeoutMs: number;
  /** Bounded: adaptive retries absorb throttling, but a payer must not retry for ever. */
  maxAttempts: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_ATTEMPTS = 5;

// One pool per process: hundreds of payers x seven clients must not each open their own sockets.
// Clients built on these are never destroy()ed: NodeHttpHandler.destroy() would destroy the shared agent under
// every other payer's in-flight requests.
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });

/** Largest response body a collector accepts; beyond it the answer is "malformed", not an out-of-memory crash. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Static credentials, or a provider the SDK asks again when what it holds nears expiry (see aws/session.ts). */
export type Credentials = SessionCredentials | (() => Promise<SessionCredentials>);

export function clientConfig(session: SessionOptions, credentials?: Credentials) {
  return {
    region: session.region,
    ...(session.endpoint ? { endpoint: session.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    retryMode: 'adaptive' as const,
    maxAttempts: session.maxAttempts,
    requestHandler: {
      connectionTimeout: Math.min(session.timeoutMs, 5_000),
      requestTimeout: session.timeoutMs,
      throwOnRequestTimeout: true,
      httpAgent,
      httpsAgent,
    },
  };
}

function tooLarge(what: string): Error {
  const err = new Error(`response of ${what} exceeds the ${MAX_RESPONSE_BYTES}-byte limit`);
  err.name = 'ResponseTooLarge';
  return err;
}

/**
 * A pass-through that counts the bytes of a body and fails the stream past the cap. Content-Length cannot be trusted
 * for this: a chunked answer has none, so the bytes themselves are counted as the SDK collects them.
 */
export function cappedBody(body: Readable, limit = MAX_RESPONSE_BYTES): Readable {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) done(tooLarge(`more than ${limit} bytes (sent without a usable Content-Length)`));
      else done(null, chunk);
    },
  });
  // pipe(), not pipeline(): pipeline builds an AbortController and a DOMException for every answer, a measurable
  // share of a call's CPU. The wiring pipeline did is done by hand: an error on either side ends both, and the source
  // (the socket's answer) is destroyed when the cap trips, so the rest of the answer is never read.
  body.once('error', (err) => counter.destroy(err));
  counter.once('close', () => {
    if (!body.readableEnded) body.destroy();
  });
  body.pipe(counter);
  return counter;
}

/**
 * Rejects oversized answers before the SDK parses them. Sits at the bottom of the deserialize step, so it sees the raw
 * HTTP response first: a declared length above the cap is refused at once, and every other body is counted as it is
 * read (chunked answers carry no length).
 */
export function limitResponseSize(client: {
  middlewareStack: { add: (mw: never, opts: { step: 'deserialize'; priority: 'low'; name: string }) => void };
}): void {
  const mw = (next: (args: unknown) => Promise<{ response: unknown }>) => async (args: unknown) => {
    const out = await next(args);
    const res = out.response as { headers?: Record<string, string>; body?: unknown } | undefined;
    const len = Number(res?.headers?.['content-length'] ?? res?.headers?.['Content-Length'] ?? 0);
    if (len > MAX_RESPONSE_BYTES) {
      (res?.body as { destroy?: () => void } | undefined)?.destroy?.();
      throw tooLarge(`${len} bytes`);
    }
    if (res && res.body instanceof Readable) res.body = cappedBody(res.body);
    return out;
  };
  client.middlewareStack.add(mw as never, {
    step: 'deserialize',
    priority: 'low',
    name: 'payerguardResponseSizeLimit',
  });
}
