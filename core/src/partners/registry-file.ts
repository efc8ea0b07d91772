/**
 * The partner registry file: what `payerguard sim --registry-out` writes and `payerguard partners import` reads.
 * JSON Lines or a JSON array of RegistryEntry; see parseRegistry for the rules.
 */
export interface RegistryEntry {
  partnerId: string;
  partnerName: string;
  payerAccountId: string;
  roleArn: string;
  externalId: string;
}

export interface RegistryProblem {
  line: number;
  message: string;
}

const ACCOUNT_RE = /^\d{12}$/;
const PARTNER_ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const EXTERNAL_ID_RE = /^[\w+=,.@:/-]{2,1224}$/;
/** The same bound as a partner added by hand (core/src/partners/manage.ts). */
export const PARTNER_NAME_MAX = 200;
/** Largest registry file `partners import` reads: ~100,000 payers fit in a tenth of it. */
export const REGISTRY_MAX_BYTES = 256 * 1024 * 1024;

export function validateEntry(raw: unknown): { entry?: RegistryEntry; problems: string[] } {
  const problems: string[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { problems: ['expected a JSON object'] };
  const r = raw as Record<string, unknown>;
  const str = (k: string) => (typeof r[k] === 'string' ? (r[k] as string).trim() : undefined);
  const partnerId = str('partnerId');
  const partnerName = str('partnerName');
  const payerAccountId = str('payerAccountId');
  const roleArn = str('roleArn');
  const externalId = str('externalId');
  if (!partnerId || !PARTNER_ID_RE.test(partnerId))
    problems.push('partnerId: required, lower-case letters, digits and "-" (max 63)');
  if (!partnerName) problems.push('partnerName: required');
  else if (partnerName.length > PARTNER_NAME_MAX)
    problems.push(`partnerName: at most ${PARTNER_NAME_MAX} characters (got ${partnerName.length})`);
  if (!payerAccountId || !ACCOUNT_RE.test(payerAccountId)) problems.push('payerAccountId: required, 12 digits');
  const m = roleArn ? ROLE_ARN_RE.exec(roleArn) : null;
  if (!m) problems.push('roleArn: required, an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>)');
  else if (payerAccountId && m[1] !== payerAccountId)
    problems.push(`roleArn: role is in account ${m[1]}, not in the payer ${payerAccountId}`);
  if (!externalId || !EXTERNAL_ID_RE.test(externalId))
    problems.push('externalId: required, 2-1224 characters of [A-Za-z0-9+=,.@:/-]');
  if (problems.length) return { problems };
  return {
    entry: {
      partnerId: partnerId!,
      partnerName: partnerName!,
      payerAccountId: payerAccountId!,
      roleArn: roleArn!,
      externalId: externalId!,
    },
    problems,
  };
}

/**
 * Parses a whole registry. Returns every problem with its line number; callers import nothing when there is any.
 * A payer account may appear once only; a partner may have several payers (with the same name).
 */
export function parseRegistry(text: string): { entries: RegistryEntry[]; problems: RegistryProblem[] } {
  const entries: RegistryEntry[] = [];
  const problems: RegistryProblem[] = [];
  const trimmed = text.trim();
  let rows: { line: number; value: unknown }[] = [];
  if (trimmed.startsWith('[')) {
    let arr: unknown;
    try {
      arr = JSON.parse(trimmed);
    } catch (e) {
      return { entries, problems: [{ line: 1, message: `not valid JSON: ${(e as Error).message}` }] };
    }
    rows = (arr as unknown[]).map((value, i) => ({ line: i + 1, value }));
  } else {
    const lines = text.split(/\r?\n/);
    lines.forEach((l, i) => {
      if (!l.trim() || l.trim().startsWith('#')) return;
      try {
        rows.push({ line: i + 1, value: JSON.parse(l) });
      } catch (e) {
        problems.push({ line: i + 1, message: `not valid JSON: ${(e as Error).message}` });
      }
    });
  }
  return checkRows(rows, problems);
}

/**
 * An already-parsed registry (the API's `entries`): the same rules as parseRegistry, row i on "line" i + 1. The
 * values are never serialized again, so a hostile value (nested thousands deep) is refused, not a stack overflow.
 */
export function registryFromValues(values: unknown[]): { entries: RegistryEntry[]; problems: RegistryProblem[] } {
  return checkRows(
    values.map((value, i) => ({ line: i + 1, value })),
    [],
  );
}

function checkRows(
  rows: { line: number; value: unknown }[],
  problems: RegistryProblem[],
): { entries: RegistryEntry[]; problems: RegistryProblem[] } {
  const entries: RegistryEntry[] = [];
  const seenPayers = new Map<string, number>();
  const partnerNames = new Map<string, string>();
  for (const { line, value } of rows) {
    const { entry, problems: p } = validateEntry(value);
    for (const message of p) problems.push({ line, message });
    if (!entry) continue;
    const prev = seenPayers.get(entry.payerAccountId);
    if (prev !== undefined) {
      problems.push({ line, message: `payerAccountId ${entry.payerAccountId} already listed on line ${prev}` });
      continue;
    }
    const name = partnerNames.get(entry.partnerId);
    if (name !== undefined && name !== entry.partnerName)
      problems.push({ line, message: `partner ${entry.partnerId} is named "${name}" on an earlier line` });
    seenPayers.set(entry.payerAccountId, line);
    partnerNames.set(entry.partnerId, entry.partnerName);
    entries.push(entry);
  }
  if (rows.length === 0 && problems.length === 0) problems.push({ line: 1, message: 'the registry is empty' });
  return { entries, problems };
}
