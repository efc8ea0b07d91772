import type { CredentialReportRow, PolicyDocument } from '@payerguard/core';
import { MalformedAnswer } from '../aws/call.js';

/**
 * IAM returns policy documents as URL-encoded JSON (RFC 3986). Decodes one; anything that is not a JSON object with a Statement
 * is a malformed answer (the collector reports it rather than guessing).
 */
export function decodePolicyDocument(raw: string | undefined, where: string): PolicyDocument {
  if (typeof raw !== 'string' || raw === '') throw new MalformedAnswer(`${where}: policy document missing`);
  let text = raw;
  // Already-decoded JSON starts with "{"; encoded starts with "%7B". Decoding twice would corrupt a literal "%".
  if (!text.trimStart().startsWith('{')) {
    try {
      // Percent-decoding only, as botocore's json_decode_policies does (urllib unquote, not unquote_plus): IAM
      // encodes a space as %20 and a plus as %2B, so a literal "+" in the text is a plus (say "a+b@x.example").
      text = decodeURIComponent(text);
    } catch {
      throw new MalformedAnswer(`${where}: policy document is not URL-encoded JSON`);
    }
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new MalformedAnswer(`${where}: policy document is not valid JSON`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !('Statement' in doc))
    throw new MalformedAnswer(`${where}: policy document has no Statement`);
  return doc as PolicyDocument;
}

/** Splits one CSV line, honouring double quotes (the credential report does not quote today; be ready if it does). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Parses the IAM credential report CSV into rows keyed by its header. */
export function parseCredentialReport(csv: string): CredentialReportRow[] {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0] ? splitCsvLine(lines[0]) : [];
  if (!header.includes('user') || !header.includes('arn'))
    throw new MalformedAnswer('credential report has no "user" and "arn" columns');
  return lines.slice(1).map((line, i) => {
    const cells = splitCsvLine(line);
    if (cells.length !== header.length)
      throw new MalformedAnswer(
        `credential report row ${i + 2} has ${cells.length} cells, the header ${header.length}`,
      );
    return Object.fromEntries(header.map((h, j) => [h, cells[j] ?? '']));
  });
}

/** True when a trust policy lets the given account (its root, or any principal in it) assume the role. */
export function trustsAccount(doc: PolicyDocument, accountId: string): boolean {
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return statements.some((st) => {
    if (typeof st !== 'object' || st === null) return false;
    const s = st as { Effect?: unknown; Principal?: unknown; Action?: unknown };
    if (s.Effect !== 'Allow') return false;
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    if (!actions.some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')) return false;
    const p = s.Principal;
    const aws = typeof p === 'object' && p !== null ? (p as { AWS?: unknown }).AWS : undefined;
    const principals = (Array.isArray(aws) ? aws : [aws]).filter((x): x is string => typeof x === 'string');
    return principals.some((x) => x === accountId || new RegExp(`^arn:aws[a-z-]*:(iam|sts)::${accountId}:`).test(x));
  });
}

const REDACTED = '[redacted]';

/**
 * A trust policy with its sts:ExternalId values replaced: the condition's presence is evidence (a control may check
 * it), its value is a shared secret that must not sit in stored evidence or API responses.
 */
export function redactExternalIds(doc: PolicyDocument): PolicyDocument {
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const redacted = statements.map((st) => {
    if (typeof st !== 'object' || st === null) return st;
    const s = st as { Condition?: Record<string, Record<string, unknown>> };
    if (!s.Condition || typeof s.Condition !== 'object') return st;
    const condition = Object.fromEntries(
      Object.entries(s.Condition).map(([op, keys]) => [
        op,
        typeof keys === 'object' && keys !== null
          ? Object.fromEntries(
              Object.entries(keys).map(([k, v]) => [
                k,
                k.toLowerCase() === 'sts:externalid' ? (Array.isArray(v) ? v.map(() => REDACTED) : REDACTED) : v,
              ]),
            )
          : keys,
      ]),
    );
    return { ...s, Condition: condition };
  });
  return { ...doc, Statement: Array.isArray(doc.Statement) ? redacted : redacted[0] };
}
