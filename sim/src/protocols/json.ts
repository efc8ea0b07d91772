import { ApiError } from './errors.js';

/**
 * awsJson1_1 (Organizations, CloudTrail, Cost Explorer, EventBridge) and restJson (Account): JSON bodies with
 * timestamps as epoch seconds.
 */

export function toJson(value: unknown, padding?: string): string {
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });
  // An extra member the SDK ignores: a valid document, only large.
  if (padding && text.startsWith('{') && text.length > 2) return `{"SimPadding":"${padding}",${text.slice(1)}`;
  if (padding) return `{"SimPadding":"${padding}"}`;
  return text;
}

export function jsonError(err: ApiError): string {
  return JSON.stringify({ __type: err.code, message: err.message, ...err.fields });
}

/** Reading the members of a JSON request body, with AWS-style validation errors. */
export class JsonParams {
  constructor(public readonly body: Record<string, unknown>) {}

  str(name: string): string | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw invalid(name, v, 'Member must be a string');
    return v;
  }

  required(name: string): string {
    const v = this.str(name);
    if (v === undefined || v === '')
      throw new ApiError(
        'ValidationException',
        `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
      );
    return v;
  }

  int(name: string, dflt: number, min: number, max: number, code = 'ValidationException'): number {
    const v = this.body[name];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      throw new ApiError(
        code,
        `1 validation error detected: Value '${String(v)}' at '${name}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
      );
    return v;
  }

  /** Timestamps arrive as epoch seconds (numbers), as the SDK serializes them. */
  date(name: string): Date | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    const d = typeof v === 'number' ? new Date(v * 1000) : typeof v === 'string' ? new Date(v) : new Date(Number.NaN);
    if (Number.isNaN(d.getTime())) throw invalid(name, v, 'Member must be a timestamp');
    return d;
  }

  array(name: string): unknown[] {
    const v = this.body[name];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw invalid(name, v, 'Member must be a list');
    return v;
  }

  object(name: string): Record<string, unknown> | undefined {
    const v = this.body[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw invalid(name, v, 'Member must be a structure');
    return v as Record<string, unknown>;
  }
}

const invalid = (name: string, v: unknown, constraint: string) =>
  new ApiError(
    'ValidationException',
    `1 validation error detected: Value '${JSON.stringify(v)}' at '${name}' failed to satisfy constraint: ${constraint}`,
  );

/** Page tokens are opaque to clients; ours carry an offset and which query they belong to. */
export function encodeToken(offset: number, scope: string): string {
  return Buffer.from(JSON.stringify({ o: offset, s: scope })).toString('base64url');
}

export function decodeToken(token: string | undefined, scope: string, code: string): number {
  if (token === undefined || token === '') return 0;
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; s?: unknown };
    if (typeof t.o === 'number' && Number.isInteger(t.o) && t.o >= 0 && t.s === scope) return t.o;
  } catch {
    // fall through to the AWS-style error
  }
  throw new ApiError(code, 'The pagination token is invalid or does not match this request.');
}
