import { ApiError } from './errors.js';

/**
 * awsQuery (STS, IAM): form-encoded requests, XML answers. Lists are `<member>` elements, maps are
 * `<entry><key/><value/></entry>`, timestamps ISO 8601, blobs base64.
 */

export class XmlMap {
  constructor(public readonly entries: Record<string, string | number>) {}
}

/** A blob member: written base64 as awsQuery does. */
export class XmlBlob {
  constructor(public readonly bytes: Buffer) {}
}

export type XmlValue =
  | string
  | number
  | boolean
  | Date
  | undefined
  | null
  | XmlMap
  | XmlBlob
  | XmlValue[]
  | { [k: string]: XmlValue };

export const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);

function write(out: string[], name: string, v: XmlValue): void {
  if (v === undefined || v === null) return;
  out.push(`<${name}>`);
  if (v instanceof Date) out.push(v.toISOString());
  else if (v instanceof XmlBlob) out.push(v.bytes.toString('base64'));
  else if (v instanceof XmlMap)
    for (const [k, val] of Object.entries(v.entries))
      out.push(`<entry><key>${escapeXml(k)}</key><value>${escapeXml(String(val))}</value></entry>`);
  else if (Array.isArray(v)) for (const item of v) write(out, 'member', item);
  else if (typeof v === 'object') for (const [k, val] of Object.entries(v)) write(out, k, val);
  else out.push(escapeXml(String(v)));
  out.push(`</${name}>`);
}

export function toXml(name: string, v: XmlValue): string {
  const out: string[] = [];
  write(out, name, v);
  return out.join('');
}

export const QUERY_NAMESPACES: Record<string, string> = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
};

/** `padding` is inserted as an unknown element inside the result: valid XML the SDK skips, but large. */
export function queryResponse(
  service: string,
  action: string,
  result: XmlValue,
  requestId: string,
  padding?: string,
): string {
  const inner = toXml(`${action}Result`, result ?? {});
  const padded = padding
    ? inner.replace(`</${action}Result>`, `<SimPadding>${padding}</SimPadding></${action}Result>`)
    : inner;
  return (
    `<${action}Response xmlns="${QUERY_NAMESPACES[service] ?? ''}">` +
    padded +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>\n`
  );
}

export function queryError(service: string, err: ApiError, requestId: string): string {
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<ErrorResponse xmlns="${QUERY_NAMESPACES[service] ?? QUERY_NAMESPACES.iam}"><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>\n`
  );
}

/** Form parameters of an awsQuery request. */
export class QueryParams {
  constructor(private readonly p: URLSearchParams) {}

  get(name: string): string | undefined {
    return this.p.get(name) ?? undefined;
  }

  required(name: string): string {
    const v = this.get(name);
    if (v === undefined || v === '')
      throw new ApiError(
        'ValidationError',
        `1 validation error detected: Value null at '${lower(name)}' failed to satisfy constraint: Member must not be null`,
      );
    return v;
  }

  int(name: string, dflt: number, min: number, max: number): number {
    const raw = this.get(name);
    if (raw === undefined) return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new ApiError(
        'ValidationError',
        `1 validation error detected: Value '${raw}' at '${lower(name)}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
      );
    return n;
  }

  /** `Name.member.1`, `Name.member.2` ... */
  list(name: string): string[] {
    const out: string[] = [];
    for (let i = 1; ; i++) {
      const v = this.p.get(`${name}.member.${i}`);
      if (v === null) return out;
      out.push(v);
    }
  }
}

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
