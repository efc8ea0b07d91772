import { type DestinationStream, type Logger, pino, stdSerializers } from 'pino';

/**
 * Paths pino must never print. Credentials come back from STS, passwords and tokens from API bodies and headers,
 * ExternalIds from the partner registry.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'token',
  '*.token',
  'externalId',
  '*.externalId',
  'ExternalId',
  '*.ExternalId',
  'credentials',
  '*.credentials',
  'Credentials',
  '*.Credentials',
  'secretAccessKey',
  '*.secretAccessKey',
  'SecretAccessKey',
  '*.SecretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'SessionToken',
  '*.SessionToken',
  'webhookSecret',
  '*.webhookSecret',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

/**
 * drizzle's query error names the statement's parameters in its message, its stack and `params` (a webhook secret or
 * a token hash being stored, say), and PostgreSQL's `detail` can quote a whole row ("Failing row contains (...)").
 * A logged error keeps the statement, the SQLSTATE and the server's message; never the values.
 */
export function serializeError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return err;
  if (depth > 5) return { message: '[cause chain cut after 5 causes]' };
  const out = stdSerializers.err(err) as unknown as Record<string, unknown>;
  const safe = queryMessage(err);
  if (safe !== undefined) {
    out.message = safe;
    out.stack = typeof err.stack === 'string' ? err.stack.replace(err.message, safe) : undefined;
  }
  delete out.params;
  delete out.detail;
  if (err.cause !== undefined) out.cause = serializeError(err.cause, depth + 1);
  return out;
}

/** An error's message for a log line, without a query's parameters (see serializeError); the driver's answer kept. */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const safe = queryMessage(err);
  if (safe === undefined) return err.message;
  return err.cause instanceof Error ? `${safe}: ${err.cause.message}` : safe;
}

/**
 * drizzle's query error's message without the parameters it words in; undefined for any other error (PGlite's own
 * error also has `query`, with the server's message: its `params` are dropped by serializeError).
 */
function queryMessage(err: Error): string | undefined {
  const { query } = err as { query?: unknown };
  return typeof query === 'string' && err.message.startsWith('Failed query:') ? `Failed query: ${query}` : undefined;
}

export function createLogger(
  level: string = process.env.LOG_LEVEL || 'info',
  name = 'payerguard',
  destination?: DestinationStream,
): Logger {
  const options = {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: (e: unknown) => serializeError(e) },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
