import { type Logger, pino } from 'pino';

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

export function createLogger(level: string = process.env.LOG_LEVEL || 'info', name = 'payerguard'): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

export type { Logger };
