import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import { type Credentials, clientConfig, limitResponseSize, type SessionOptions } from './client-options.js';
import { rateLimit } from './rate-limit.js';

/**
 * SDK clients shared by every payer a process collects. Building an SDK v3 client resolves its whole configuration
 * (env, shared config files, endpoint rules) and cost more CPU than the calls it made: a payer reads ~70 times across
 * 17 regions and 7 services, and each collector built its own client per payer and region. Here one client per
 * service, region and session options serves every payer; what belongs to a payer travels with each call instead:
 * - credentials: the client's credentials provider reads the calling payer's session from an AsyncLocalStorage scope
 *   entered around each `send` (marked `memoized` so the SDK does not cache one payer's identity for the next);
 * - retries: the SDK's adaptive retry keeps a client-side send rate that a throttled account lowers; the shared
 *   strategy hands each call to the payer's own strategy for that service and region, so one throttled payer slows only
 *   itself, as with a client per payer;
 * - rate limits: aws/rate-limit.ts buckets by the payer's account (the account AWS limits), read from the same scope.
 * A call made through a shared client outside a payer scope fails with a clear error: it can never be signed with
 * another payer's credentials.
 */

type Strategy = AdaptiveRetryStrategy;

interface PayerScope {
  accountId: string;
  credentials: Credentials;
  maxAttempts: number;
  /** The payer's adaptive retry state per shared client (service, region, options). */
  retry: Map<string, Strategy>;
}

interface CallScope {
  payer: PayerScope;
  clientKey: string;
}

const calls = new AsyncLocalStorage<CallScope>();

function current(what: string): CallScope {
  const scope = calls.getStore();
  if (!scope) throw new Error(`${what}: an AWS call through a shared client was made outside a payer's scope`);
  return scope;
}

/** The calling payer's retry strategy for the client the call went through, made on first use. */
function payerRetry(): Strategy {
  const { payer, clientKey } = current('retry');
  let s = payer.retry.get(clientKey);
  if (!s) {
    s = new AdaptiveRetryStrategy(payer.maxAttempts);
    payer.retry.set(clientKey, s);
  }
  return s;
}

const scopedRetry: Pick<Strategy, 'mode' | 'acquireInitialRetryToken' | 'refreshRetryTokenForRetry' | 'recordSuccess'> =
  {
    mode: 'adaptive',
    acquireInitialRetryToken: (scope) => payerRetry().acquireInitialRetryToken(scope),
    refreshRetryTokenForRetry: (token, info) => payerRetry().refreshRetryTokenForRetry(token, info),
    recordSuccess: (token) => payerRetry().recordSuccess(token),
  };

/** Reads the calling payer's credentials for every call; `memoized` keeps the SDK from caching the first answer. */
const scopedCredentials = Object.assign(
  async () => {
    const c = current('credentials').payer.credentials;
    return typeof c === 'function' ? c() : c;
  },
  { memoized: true },
);

type Sendable = { send: (...args: never[]) => Promise<unknown> };
// biome-ignore lint/suspicious/noExplicitAny: SDK client constructors take their own config types.
type ClientClass<C> = new (config: any) => C;

/** Clients by class, region, endpoint and options; a handful per process, bounded all the same. */
const shared = new Map<string, Sendable>();
const MAX_SHARED_CLIENTS = 512;

/** The AWS_ENDPOINT_URL variables the SDK reads for a client: a change (tests start simulators) means a new client. */
const ENDPOINT_ENV: Record<string, string> = {
  STSClient: 'AWS_ENDPOINT_URL_STS',
  IAMClient: 'AWS_ENDPOINT_URL_IAM',
  OrganizationsClient: 'AWS_ENDPOINT_URL_ORGANIZATIONS',
  AccountClient: 'AWS_ENDPOINT_URL_ACCOUNT',
  CloudTrailClient: 'AWS_ENDPOINT_URL_CLOUDTRAIL',
  EventBridgeClient: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  CostExplorerClient: 'AWS_ENDPOINT_URL_COST_EXPLORER',
};

function clientKey(name: string, session: SessionOptions, extra = ''): string {
  const env = process.env;
  const envEndpoint = `${env.AWS_ENDPOINT_URL ?? ''}|${env[ENDPOINT_ENV[name] ?? ''] ?? ''}`;
  return `${name}|${session.region}|${session.endpoint ?? envEndpoint}|${session.timeoutMs}|${session.maxAttempts}|${extra}`;
}

function remember<C extends Sendable>(key: string, make: () => C): C {
  let c = shared.get(key) as C | undefined;
  if (!c) {
    if (shared.size >= MAX_SHARED_CLIENTS) shared.delete(shared.keys().next().value!);
    c = make();
    shared.set(key, c);
  }
  return c;
}

/** What a collector holds: the shared client's `send`, run in the payer's scope. */
export type PayerClient<C extends Sendable> = Pick<C, 'send'>;

/** The payer scope of one collector context, kept for as long as its credentials are (one per payer session). */
const payerScopes = new WeakMap<object, PayerScope>();

export interface PayerCallContext {
  session: SessionOptions;
  credentials: Credentials;
  /** The account the credentials sign for: its rate limits and retry state are its own. */
  accountId: string;
}

function payerScopeOf(ctx: PayerCallContext): PayerScope {
  const holder = ctx.credentials as object;
  let scope = payerScopes.get(holder);
  if (!scope || scope.accountId !== ctx.accountId || scope.maxAttempts !== ctx.session.maxAttempts) {
    scope = {
      accountId: ctx.accountId,
      credentials: ctx.credentials,
      maxAttempts: ctx.session.maxAttempts,
      retry: new Map(),
    };
    payerScopes.set(holder, scope);
  }
  return scope;
}

/**
 * A client of `Client` in `region` (default: the session's) for one payer's calls. Cheap: the SDK client behind it is
 * built once per process for its service, region and options.
 */
export function payerClient<C extends Sendable>(
  Client: ClientClass<C>,
  ctx: PayerCallContext,
  region = ctx.session.region,
): PayerClient<C> {
  const session = region === ctx.session.region ? ctx.session : { ...ctx.session, region };
  const key = clientKey(Client.name, session, 'payer');
  const client = remember(key, () => {
    const c = new Client({
      ...clientConfig(session, scopedCredentials),
      retryStrategy: scopedRetry,
    }) as C & Parameters<typeof rateLimit>[0] & Parameters<typeof limitResponseSize>[0];
    limitResponseSize(c);
    rateLimit(c, () => current('rate limit').payer.accountId);
    return c;
  });
  const scope: CallScope = { payer: payerScopeOf(ctx), clientKey: key };
  return {
    send: ((...args: Parameters<C['send']>) =>
      calls.run(scope, () => (client.send as (...a: unknown[]) => Promise<unknown>)(...args))) as C['send'],
  };
}

/**
 * A client signed by the hub itself (AssumeRole into payers): shared by every payer, with one retry state, since AWS
 * limits the hub account as a whole. `credentials` unset means the SDK's default chain.
 */
export function hubClient<C extends Sendable>(
  Client: ClientClass<C>,
  session: SessionOptions,
  credentials?: Credentials,
): C {
  const who = credentials
    ? hubIdentity(credentials)
    : `default:${process.env.AWS_ACCESS_KEY_ID ?? ''}:${process.env.AWS_PROFILE ?? ''}`;
  return remember(clientKey(Client.name, session, `hub:${who}`), () => {
    const c = new Client(clientConfig(session, credentials)) as C &
      Parameters<typeof rateLimit>[0] &
      Parameters<typeof limitResponseSize>[0];
    limitResponseSize(c);
    rateLimit(c);
    return c;
  });
}

const hubIds = new WeakMap<object, string>();
let hubCount = 0;
/** Static credentials are told apart by their key (a digest: the secret itself never sits in a map key). */
function hubIdentity(credentials: Credentials): string {
  if (typeof credentials !== 'function')
    return createHash('sha256')
      .update(`${credentials.accessKeyId}\n${credentials.secretAccessKey}\n${credentials.sessionToken ?? ''}`)
      .digest('hex');
  let id = hubIds.get(credentials);
  if (!id) {
    id = `provider-${++hubCount}`;
    hubIds.set(credentials, id);
  }
  return id;
}

/** Shared clients held now (tests). */
export const sharedClientCount = () => shared.size;
