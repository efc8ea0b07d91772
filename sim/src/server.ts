import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RegistryEntry } from '@payerguard/core';
import { generateEstate } from './estate/generate.js';
import type { Estate } from './estate/types.js';
import { DEFAULT_OVERSIZE_BYTES, type Fault, type FaultSpec, FaultSpecError, Faults } from './faults.js';
import { ApiError, type Protocol } from './protocols/errors.js';
import { JsonParams, jsonError, toJson } from './protocols/json.js';
import { queryError, queryResponse, type XmlValue } from './protocols/query.js';
import { type EventBridgeEvent, RootActivityError, type RootActivitySpec, rootActivityEvent } from './root-activity.js';
import { ACCOUNT_PATHS, dispatch, knownAction, SERVICE_PROTOCOLS, unknownOperation } from './router.js';
import { type Caller, hubCaller, type SimState } from './services/context.js';
import { CREDENTIAL_REPORT_TTL_MS } from './services/iam.js';
import { SQS_OPERATIONS, SqsError, SqsQueues } from './services/sqs.js';
import { DEFAULT_STS_FLAKY_FAILURES } from './services/sts.js';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  partners: number;
  seed: number;
  /** Added to every answer. */
  latencyMs?: number;
  /** Share of requests answered with throttling (0-1). */
  throttleRate?: number;
  /** How long IAM takes to generate a credential report (default 150 ms). */
  credentialReportDelayMs?: number;
  /** Fix "now" for the estate's relative timestamps (tests). */
  now?: Date;
  /** How long a generated credential report is handed out before ReportExpired (default 4 hours, as IAM). */
  credentialReportTtlMs?: number;
  /** Overrides every issued session's lifetime in seconds (tests of long collections; AWS's minimum is 900). */
  sessionLifetimeSeconds?: number;
  /** AssumeRole calls into an sts-flaky payer that fail (throttled, then 5xx, alternating) before it recovers. */
  stsFlakyFailures?: number;
  /** The hub's queue of root events (created in the hub account at start, with a dead-letter queue). */
  hubQueueName?: string;
  /** Receives of one message before SQS moves it to the hub queue's dead-letter queue (default 5). */
  hubQueueMaxReceiveCount?: number;
}

export interface SimulatorStats {
  requests: number;
  byApi: Record<string, number>;
  errors: number;
  /** CPU-side time spent building answers (excludes injected latency and network), for benchmarks. */
  busyMs: number;
}

export interface Simulator {
  url: string;
  estate: Estate;
  registry(): RegistryEntry[];
  faults: {
    add(spec: FaultSpec): Fault;
    remove(id: string): boolean;
    clear(): void;
    list(): Fault[];
  };
  stats(): SimulatorStats;
  /** The hub queue of live root events, and its dead-letter queue. */
  hubQueueUrl: string;
  hubDeadLetterQueueUrl: string;
  /** What `POST /_sim/root-activity` does: records the root event in CloudTrail and delivers it to the hub queue. */
  emitRootActivity(spec: RootActivitySpec): RootActivityResult;
  close(): Promise<void>;
}

export interface RootActivityResult {
  eventId: string;
  messageId: string;
  queueUrl: string;
  event: EventBridgeEvent;
}

/** Largest request body accepted; AWS requests of these APIs are a few KB. */
const MAX_REQUEST_BYTES = 1024 * 1024;
const CREDENTIAL_RE = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

/** Writes a body in 64 KiB chunks, honouring back-pressure; a client that hangs up ends it. */
function writeChunked(res: ServerResponse, body: Buffer): void {
  const CHUNK = 64 * 1024;
  let at = 0;
  const more = () => {
    while (at < body.length && !res.destroyed) {
      const piece = body.subarray(at, at + CHUNK);
      at += piece.length;
      if (!res.write(piece)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end();
  };
  more();
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  /** Sent with Transfer-Encoding: chunked and no Content-Length (the chunked oversized and garbage faults). */
  chunked?: boolean;
}

const CONTENT_TYPES: Record<Protocol, string> = {
  query: 'text/xml',
  json: 'application/x-amz-json-1.1',
  'rest-json': 'application/json',
};

/** SQS speaks awsJson1_0; the other JSON services awsJson1_1. */
const SQS_CONTENT_TYPE = 'application/x-amz-json-1.0';

function errorAnswer(protocol: Protocol, err: ApiError, requestId: string, service = 'iam'): Answer {
  if (protocol === 'query')
    return {
      status: err.status,
      headers: { 'content-type': CONTENT_TYPES.query },
      body: queryError(service, err, requestId),
    };
  const headers: Record<string, string> = {
    'content-type': service === 'sqs' ? SQS_CONTENT_TYPE : CONTENT_TYPES[protocol],
  };
  if (protocol === 'rest-json') headers['x-amzn-errortype'] = err.code;
  if (err instanceof SqsError) headers['x-amzn-query-error'] = err.queryError;
  return { status: err.status, headers, body: jsonError(err) };
}

function faultError(protocol: Protocol, service: string, kind: string, caller: Caller, api: string): ApiError {
  if (kind === 'throttle') {
    if (protocol === 'query') return new ApiError('Throttling', 'Rate exceeded', 400);
    if (service === 'account') return new ApiError('TooManyRequestsException', 'Rate exceeded', 429);
    return new ApiError('ThrottlingException', 'Rate exceeded', 400);
  }
  if (kind === 'access-denied') {
    const msg = `User: ${caller.arn} is not authorized to perform: ${api} on resource: * with an explicit deny in a service control policy`;
    if (protocol === 'query') return new ApiError('AccessDenied', msg, 403);
    return new ApiError('AccessDeniedException', msg, protocol === 'json' ? 400 : 403);
  }
  if (protocol === 'query') return new ApiError('ServiceUnavailable', 'Service is unable to handle request.', 503);
  return new ApiError(
    'InternalFailure',
    'The request processing has failed because of an unknown error, exception or failure.',
    500,
  );
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const estate = generateEstate({ partners: opts.partners, seed: opts.seed, ...(opts.now ? { now: opts.now } : {}) });
  const state: SimState = {
    estate,
    sessions: new Map(),
    credentialReports: new Map(),
    credentialReportDelayMs: opts.credentialReportDelayMs ?? 150,
    credentialReportTtlMs: opts.credentialReportTtlMs ?? CREDENTIAL_REPORT_TTL_MS,
    ...(opts.sessionLifetimeSeconds ? { sessionLifetimeSeconds: opts.sessionLifetimeSeconds } : {}),
    stsFlakyCalls: new Map(),
    stsFlakyFailures: opts.stsFlakyFailures ?? DEFAULT_STS_FLAKY_FAILURES,
  };
  const faults = new Faults();
  if (opts.latencyMs) faults.add({ kind: 'latency', ms: opts.latencyMs });
  if (opts.throttleRate) faults.add({ kind: 'throttle', rate: opts.throttleRate });
  const stats: SimulatorStats = { requests: 0, byApi: {}, errors: 0, busyMs: 0 };
  const hub = hubCaller(estate.settings.hubAccountId);
  const queues = new SqsQueues();
  const hubQueueName = opts.hubQueueName ?? 'payerguard-root-events';
  const dlq = queues.create(hub, `${hubQueueName}-dlq`, { MessageRetentionPeriod: '1209600' });
  queues.create(hub, hubQueueName, {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: opts.hubQueueMaxReceiveCount ?? 5 }),
  });
  let origin = '';
  const hubUrl = (name: string) => `${origin}/${estate.settings.hubAccountId}/${name}`;

  function emitRootActivity(spec: RootActivitySpec): RootActivityResult {
    const { cloudtrail, event } = rootActivityEvent(spec);
    const account = estate.account(spec.accountId);
    if (!account) throw new RootActivityError(`no account ${spec.accountId} in the simulated estate`);
    // CloudTrail has the event too (newest first), so a later LookupEvents returns the same eventID.
    account.events.unshift(cloudtrail);
    const queueUrl = hubUrl(hubQueueName);
    const { MessageId } = queues.send(hub, queueUrl, JSON.stringify(event));
    return { eventId: cloudtrail.eventId, messageId: MessageId, queueUrl, event };
  }

  function callerFor(accessKeyId: string, protocol: Protocol, now: Date): Caller {
    const s = state.sessions.get(accessKeyId);
    if (!s) return hub;
    if (s.expiration <= now)
      throw new ApiError(
        protocol === 'query' ? 'ExpiredToken' : 'ExpiredTokenException',
        'The security token included in the request is expired',
        // As AWS answers it: awsQuery services (IAM, STS) with HTTP 403, awsJson services with 400.
        protocol === 'query' ? 403 : 400,
      );
    return {
      accountId: s.accountId,
      arn: `arn:aws:sts::${s.accountId}:assumed-role/${s.roleName}/${s.sessionName}`,
      userId: `${s.roleId}:${s.sessionName}`,
      session: s,
    };
  }

  async function handleAws(
    req: IncomingMessage,
    body: Buffer,
    requestId: string,
    signal: AbortSignal,
  ): Promise<Answer | 'hang'> {
    const auth = req.headers.authorization ?? '';
    const m = CREDENTIAL_RE.exec(auth);
    const looksJson = typeof req.headers['x-amz-target'] === 'string';
    if (!m) {
      const protocol: Protocol = looksJson ? 'json' : 'query';
      return errorAnswer(
        protocol,
        new ApiError(
          protocol === 'query' ? 'MissingAuthenticationToken' : 'MissingAuthenticationTokenException',
          'Request is missing Authentication Token',
          403,
        ),
        requestId,
      );
    }
    // The credential scope's region is the region the client signed for: regional services answer from it.
    const [, accessKeyId, region, service] = m as unknown as [string, string, string, string];
    const protocol = SERVICE_PROTOCOLS[service];
    if (!protocol)
      return errorAnswer(
        'json',
        new ApiError('UnknownServiceException', `The simulator does not implement the service "${service}"`, 400),
        requestId,
      );
    const now = new Date();
    let action = '';
    let input: URLSearchParams | Record<string, unknown> = {};
    try {
      if (protocol === 'query') {
        input = new URLSearchParams(body.toString('utf8'));
        action = input.get('Action') ?? '';
        if (!action) throw new ApiError('MissingAction', 'Missing Action', 400);
      } else {
        if (protocol === 'json')
          action =
            String(req.headers['x-amz-target'] ?? '')
              .split('.')
              .pop() ?? '';
        else {
          const path = (req.url ?? '/').split('?')[0] ?? '/';
          action = ACCOUNT_PATHS[path] ?? '';
          if (!action || req.method !== 'POST')
            throw new ApiError('UnknownOperationException', `No operation at ${req.method} ${path}`, 404);
        }
        const text = body.toString('utf8').trim();
        let parsed: unknown = {};
        if (text) {
          try {
            parsed = JSON.parse(text);
          } catch {
            throw new ApiError('SerializationException', 'Start of structure or map found where not expected.', 400);
          }
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new ApiError('SerializationException', 'Start of structure or map found where not expected.', 400);
        input = parsed as Record<string, unknown>;
      }
      if (!knownAction(service, action)) throw unknownOperation(protocol, action);
    } catch (e) {
      if (e instanceof ApiError) return errorAnswer(protocol, e, requestId, service);
      throw e;
    }

    const api = `${service}:${action}`;
    stats.byApi[api] = (stats.byApi[api] ?? 0) + 1;
    let caller: Caller;
    try {
      caller = callerFor(accessKeyId, protocol, now);
    } catch (e) {
      if (e instanceof ApiError) return errorAnswer(protocol, e, requestId, service);
      throw e;
    }

    const plan = faults.plan(caller.accountId, api, region);
    if (plan.latencyMs > 0) await new Promise((r) => setTimeout(r, plan.latencyMs));
    const fault = plan.fault;
    if (fault?.kind === 'hang') return 'hang';
    if (fault && (fault.kind === 'throttle' || fault.kind === 'access-denied' || fault.kind === 'server-error'))
      return errorAnswer(protocol, faultError(protocol, service, fault.kind, caller, api), requestId, service);

    const t0 = performance.now();
    let result: unknown;
    if (service === 'sqs') {
      // The hub's own queues: answered for whoever calls, in the caller's account; long polls wait here.
      try {
        result = await SQS_OPERATIONS[action]!(
          { queues, caller, origin: `http://${req.headers.host ?? '127.0.0.1'}`, signal },
          new JsonParams(input as Record<string, unknown>),
        );
      } catch (e) {
        if (e instanceof ApiError) return errorAnswer(protocol, e, requestId, service);
        throw e;
      }
      return { status: 200, headers: { 'content-type': SQS_CONTENT_TYPE }, body: toJson(result) };
    }
    try {
      result = dispatch(state, caller, service, action, input, requestId, new Date(), region);
    } catch (e) {
      if (e instanceof ApiError) return errorAnswer(protocol, e, requestId, service);
      throw e;
    }
    const bytes = fault?.bytes ?? DEFAULT_OVERSIZE_BYTES;
    const padding = fault?.kind === 'oversized' ? 'x'.repeat(bytes) : undefined;
    let text =
      protocol === 'query'
        ? queryResponse(service, action, result as XmlValue, requestId, padding)
        : toJson(result, padding);
    stats.busyMs += performance.now() - t0;
    if (fault?.kind === 'malformed') text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    const out: Answer = { status: 200, headers: { 'content-type': CONTENT_TYPES[protocol] }, body: text };
    if (fault?.kind === 'garbage') out.body = randomBytes(bytes);
    if (fault?.chunked) out.chunked = true;
    return out;
  }

  function handleAdmin(req: IncomingMessage, body: Buffer): Answer {
    const json = (status: number, v: unknown): Answer => ({
      status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(v),
    });
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    if (path === '/_sim/health' && method === 'GET') return json(200, { ok: true });
    if (path === '/_sim/estate' && method === 'GET')
      return json(200, {
        ...estate.summary(),
        partners: estate.partners.map((p) => ({
          id: p.id,
          name: p.name,
          profiles: p.profiles,
          payerAccountIds: p.payerAccountIds,
        })),
      });
    if (path === '/_sim/registry' && method === 'GET') return json(200, estate.registry());
    if (path === '/_sim/stats' && method === 'GET') return json(200, stats);
    if (path === '/_sim/faults') {
      if (method === 'GET') return json(200, faults.list());
      if (method === 'DELETE') {
        faults.clear();
        return json(200, { cleared: true });
      }
      if (method === 'POST') {
        let spec: unknown;
        try {
          spec = JSON.parse(body.toString('utf8'));
        } catch {
          return json(400, {
            error: 'the body must be a JSON fault: {accountId?, api?, region?, kind, rate?, ms?, bytes?}',
          });
        }
        try {
          return json(201, faults.add(spec));
        } catch (e) {
          if (e instanceof FaultSpecError) return json(400, { error: e.message });
          throw e;
        }
      }
    }
    if (path === '/_sim/root-activity' && method === 'POST') {
      let spec: unknown;
      try {
        spec = JSON.parse(body.toString('utf8'));
      } catch {
        return json(400, { error: 'the body must be JSON: {"accountId","eventName","region","mfa"}' });
      }
      if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
        return json(400, { error: 'the body must be a JSON object: {"accountId","eventName","region","mfa"}' });
      try {
        return json(201, emitRootActivity(spec as RootActivitySpec));
      } catch (e) {
        if (e instanceof RootActivityError)
          return json(/^no account/.test(e.message) ? 404 : 400, { error: e.message });
        throw e;
      }
    }
    if (path === '/_sim/deploy/collector-role' && method === 'POST') {
      // Stands in for CloudFormation deploying deploy/collector-role.yaml in a payer (the onboarding flow).
      let spec: { accountId?: unknown; externalId?: unknown };
      try {
        spec = JSON.parse(body.toString('utf8'));
      } catch {
        return json(400, { error: 'the body must be JSON: {"accountId": "12 digits", "externalId": "..."}' });
      }
      const { accountId, externalId } = spec ?? {};
      if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId))
        return json(400, { error: 'accountId must be 12 digits' });
      if (typeof externalId !== 'string' || !/^[\w+=,.@:/-]{2,1224}$/.test(externalId))
        return json(400, { error: 'externalId must be 2-1224 characters of [\\w+=,.@:/-]' });
      const { created } = estate.deployCollectorRole(accountId, externalId);
      return json(created ? 201 : 200, { accountId, created, roleName: estate.settings.collectorRoleName });
    }
    const one = /^\/_sim\/faults\/([\w-]+)$/.exec(path);
    if (one && method === 'DELETE')
      return faults.remove(one[1]!) ? json(200, { removed: one[1] }) : json(404, { error: `no fault ${one[1]}` });
    return json(404, { error: `no simulator admin route ${method} ${path}` });
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    const send = (a: Answer) => {
      if (res.destroyed) return;
      if (a.chunked) {
        res.writeHead(a.status, { ...a.headers, 'x-amzn-requestid': requestId });
        writeChunked(res, typeof a.body === 'string' ? Buffer.from(a.body) : a.body);
        return;
      }
      res.writeHead(a.status, {
        ...a.headers,
        'x-amzn-requestid': requestId,
        'content-length': String(Buffer.byteLength(a.body)),
      });
      res.end(a.body);
    };
    (async () => {
      stats.requests++;
      const body = await readBody(req);
      const isAdmin = (req.url ?? '').startsWith('/_sim/');
      if (body === 'too-large') {
        send(
          isAdmin
            ? {
                status: 413,
                headers: { 'content-type': 'application/json' },
                body: '{"error":"request body too large"}',
              }
            : errorAnswer(
                'json',
                new ApiError('RequestEntityTooLargeException', 'Request body too large', 413),
                requestId,
              ),
        );
        return;
      }
      if (isAdmin) return send(handleAdmin(req, body));
      const gone = new AbortController();
      res.once('close', () => gone.abort());
      const answer = await handleAws(req, body, requestId, gone.signal);
      if (answer === 'hang') return; // the socket stays open until the client gives up or close() ends it
      if (answer.status >= 400) stats.errors++;
      send(answer);
    })().catch((e: unknown) => {
      stats.errors++;
      // Never crash on a request: answer like AWS does when something breaks inside it.
      const message = e instanceof Error ? e.message : String(e);
      send({
        status: 500,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ __type: 'InternalFailure', message }),
      });
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closed: Promise<void> | undefined;
  origin = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
  return {
    url: origin,
    hubQueueUrl: hubUrl(hubQueueName),
    hubDeadLetterQueueUrl: hubUrl(`${hubQueueName}-dlq`),
    emitRootActivity,
    estate,
    registry: () => estate.registry(),
    faults: {
      add: (spec) => faults.add(spec),
      remove: (id) => faults.remove(id),
      clear: () => faults.clear(),
      list: () => faults.list(),
    },
    stats: () => structuredClone(stats),
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hung answers and keep-alive sockets would hold close() open for ever.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
