/**
 * Fault injection: what a real AWS endpoint does on a bad day. A fault applies to every request it matches (by the
 * caller's account and the API, both optional), with probability `rate`.
 */
export const FAULT_KINDS = [
  /** Delay every matching answer by `ms`, plus a random 0..`jitterMs` when set. */
  'latency',
  /** Throttling / ThrottlingException, as each protocol words it. */
  'throttle',
  /** AccessDenied / AccessDeniedException. */
  'access-denied',
  /** ServiceUnavailable (query) / InternalFailure (JSON). */
  'server-error',
  /** A 200 whose body is cut in half. */
  'malformed',
  /** A valid 200 document padded to `bytes` (default 20 MiB). */
  'oversized',
  /** A 200 whose body is `bytes` of garbage. */
  'garbage',
  /** Never answer. */
  'hang',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  /** The calling account (the payer whose credentials are used, or the hub). Unset: every account. */
  accountId?: string;
  /** "service:Action" (e.g. "cloudtrail:LookupEvents"), "Action", or "service:*". Unset: every API. */
  api?: string;
  /** The SigV4 region the request was signed for (e.g. "eu-central-1"). Unset: every region. */
  region?: string;
  kind: FaultKind;
  /** 0-1, default 1. */
  rate?: number;
  /** For latency. */
  ms?: number;
  /** For latency: a further delay drawn uniformly from 0 to jitterMs per request (networks are not steady). */
  jitterMs?: number;
  /** For oversized and garbage. */
  bytes?: number;
  /** For oversized and garbage: send the body chunked, without Content-Length (a cap must count, not trust headers). */
  chunked?: boolean;
}

export interface Fault extends FaultSpec {
  id: string;
}

export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}

export const DEFAULT_OVERSIZE_BYTES = 20 * 1024 * 1024;
const MAX_BYTES = 256 * 1024 * 1024;

export function validateFaultSpec(raw: unknown): FaultSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new FaultSpecError('a fault must be a JSON object');
  const r = raw as Record<string, unknown>;
  const known = new Set(['accountId', 'api', 'region', 'kind', 'rate', 'ms', 'jitterMs', 'bytes', 'chunked']);
  for (const k of Object.keys(r)) if (!known.has(k)) throw new FaultSpecError(`unknown fault field "${k}"`);
  if (typeof r.kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(r.kind))
    throw new FaultSpecError(`kind must be one of ${FAULT_KINDS.join(', ')}`);
  const spec: FaultSpec = { kind: r.kind as FaultKind };
  if (r.accountId !== undefined) {
    if (typeof r.accountId !== 'string' || !/^\d{12}$/.test(r.accountId))
      throw new FaultSpecError('accountId must be 12 digits');
    spec.accountId = r.accountId;
  }
  if (r.api !== undefined) {
    if (typeof r.api !== 'string' || !/^([a-z0-9-]+:)?(\*|[A-Za-z0-9]+)$/.test(r.api))
      throw new FaultSpecError('api must look like "service:Action", "Action" or "service:*"');
    spec.api = r.api;
  }
  if (r.region !== undefined) {
    if (typeof r.region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(r.region))
      throw new FaultSpecError('region must look like "eu-central-1"');
    spec.region = r.region;
  }
  if (r.rate !== undefined) {
    if (typeof r.rate !== 'number' || !(r.rate >= 0 && r.rate <= 1))
      throw new FaultSpecError('rate must be a number from 0 to 1');
    spec.rate = r.rate;
  }
  if (r.ms !== undefined) {
    if (typeof r.ms !== 'number' || !Number.isInteger(r.ms) || r.ms < 0 || r.ms > 600_000)
      throw new FaultSpecError('ms must be a whole number from 0 to 600000');
    spec.ms = r.ms;
  }
  if (r.jitterMs !== undefined) {
    if (typeof r.jitterMs !== 'number' || !Number.isInteger(r.jitterMs) || r.jitterMs < 0 || r.jitterMs > 600_000)
      throw new FaultSpecError('jitterMs must be a whole number from 0 to 600000');
    if (spec.kind !== 'latency') throw new FaultSpecError('jitterMs applies to latency faults only');
    spec.jitterMs = r.jitterMs;
  }
  if (spec.kind === 'latency' && spec.ms === undefined) throw new FaultSpecError('a latency fault needs ms');
  if (r.chunked !== undefined) {
    if (typeof r.chunked !== 'boolean') throw new FaultSpecError('chunked must be true or false');
    if (spec.kind !== 'oversized' && spec.kind !== 'garbage')
      throw new FaultSpecError('chunked applies to oversized and garbage faults only');
    spec.chunked = r.chunked;
  }
  if (r.bytes !== undefined) {
    if (typeof r.bytes !== 'number' || !Number.isInteger(r.bytes) || r.bytes < 1 || r.bytes > MAX_BYTES)
      throw new FaultSpecError(`bytes must be a whole number from 1 to ${MAX_BYTES}`);
    spec.bytes = r.bytes;
  }
  return spec;
}

export function apiMatches(pattern: string | undefined, api: string): boolean {
  if (pattern === undefined) return true;
  const p = pattern.toLowerCase();
  const a = api.toLowerCase();
  if (p === a) return true;
  const [service, action] = a.split(':');
  if (!p.includes(':')) return p === action;
  return p === `${service}:*`;
}

export interface FaultPlan {
  latencyMs: number;
  /** The first non-latency fault that fired, if any. */
  fault?: Fault;
}

export class Faults {
  private readonly faults: Fault[] = [];
  private nextId = 1;

  constructor(private readonly random: () => number = Math.random) {}

  /** Validates and installs a fault; throws FaultSpecError on bad input. */
  add(spec: FaultSpec | unknown): Fault {
    const valid = validateFaultSpec(spec);
    const fault: Fault = { id: `f${this.nextId++}`, ...valid };
    this.faults.push(fault);
    return fault;
  }

  remove(id: string): boolean {
    const i = this.faults.findIndex((f) => f.id === id);
    if (i < 0) return false;
    this.faults.splice(i, 1);
    return true;
  }

  clear(): void {
    this.faults.length = 0;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  plan(accountId: string, api: string, region?: string): FaultPlan {
    let latencyMs = 0;
    let fault: Fault | undefined;
    for (const f of this.faults) {
      if (f.accountId !== undefined && f.accountId !== accountId) continue;
      if (f.region !== undefined && f.region !== region) continue;
      if (!apiMatches(f.api, api)) continue;
      if (this.random() >= (f.rate ?? 1)) continue;
      if (f.kind === 'latency')
        latencyMs += (f.ms ?? 0) + (f.jitterMs ? Math.floor(this.random() * (f.jitterMs + 1)) : 0);
      else fault ??= f;
    }
    return { latencyMs, ...(fault ? { fault } : {}) };
  }
}
