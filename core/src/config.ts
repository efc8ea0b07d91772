import { availableParallelism } from 'node:os';

/**
 * Configuration from the environment, validated once at start-up. An invalid value stops the process with one line
 * naming the variable and what is wrong (see ConfigError and cli/src/main.ts).
 */
export interface Config {
  port: number;
  host: string;
  redisUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  awsEndpointUrl: string | undefined;
  awsRegion: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Payers collected at once by one worker process. */
  workerConcurrency: number;
  /**
   * Threads that evaluate controls (policy simulation) beside each worker process's event loop; 0 evaluates on the
   * event loop itself. Default: the machine's cores.
   */
  evaluationThreads?: number;
  /** Cookies get Secure when the public URL is https. */
  publicUrl: string | undefined;
  /** Set by `payerguard demo` only (never from the environment): opens the published demo logins. */
  demo: boolean;
  /** The hub's SQS queue of live root events (the root-activity monitor); unset means no live events. */
  rootEventsQueueUrl: string | undefined;
  /** DELIVERY_ALLOW_PRIVATE_NETWORKS: webhooks and other deliveries may reach loopback, link-local, private ranges. */
  deliveryAllowPrivateNetworks: boolean;
  /** The `api` command's limit on one PostgreSQL statement, in ms (0: none); the request then answers 503. */
  apiStatementTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(
    public readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function int(env: Env, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a valid URL (expected ${protocols.map((p) => `${p}//...`).join(' or ')})`);
  }
  if (!protocols.includes(u.protocol))
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${u.protocol}"`);
  return raw;
}

function bool(env: Env, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(name, `must be true or false, got "${env[name]}"`);
}

/** The delivery rule on its own: the delivery code reads it at send time, whoever called it. */
export const deliveryAllowPrivateNetworks = (env: Env = process.env) => bool(env, 'DELIVERY_ALLOW_PRIVATE_NETWORKS');

export function loadConfig(env: Env = process.env): Config {
  // Demo mode publishes logins with a known password: only the demo command may turn it on (cli/src/stack.ts).
  if (env.PAYERGUARD_DEMO !== undefined && env.PAYERGUARD_DEMO !== '')
    throw new ConfigError('PAYERGUARD_DEMO', 'demo mode is set by `payerguard demo` only; unset this variable');
  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  return {
    port: int(env, 'PORT', 8080, 1, 65535),
    host: env.HOST || '127.0.0.1',
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']) ?? 'redis://127.0.0.1:6379',
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: env.DATA_DIR || '.data',
    awsEndpointUrl: url(env, 'AWS_ENDPOINT_URL', ['http:', 'https:']),
    awsRegion: env.AWS_REGION || 'us-east-1',
    logLevel: logLevel as Config['logLevel'],
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 8, 1, 256),
    evaluationThreads: int(env, 'EVALUATION_THREADS', availableParallelism(), 0, 64),
    publicUrl: url(env, 'PUBLIC_URL', ['http:', 'https:']),
    demo: false,
    rootEventsQueueUrl: url(env, 'ROOT_EVENTS_QUEUE_URL', ['http:', 'https:']),
    deliveryAllowPrivateNetworks: deliveryAllowPrivateNetworks(env),
    apiStatementTimeoutMs: int(env, 'API_STATEMENT_TIMEOUT_MS', 15_000, 0, 3_600_000),
  };
}
