import { readFileSync } from 'node:fs';
import { type DistributorSettings, defaultSettings } from '@payerguard/core';
import {
  type BoundaryCheckResult,
  checkBoundary,
  PolicyInputError,
  parseBoundaryArn,
} from '@payerguard/core/policy/check';

/**
 * `payerguard boundary check --boundary FILE --boundary-arn ARN [--identity FILE ...] [--settings FILE] [--json]`
 *
 * Simulates a candidate permissions boundary against the escalation catalogue and prints the verdict. Exit 0 with a
 * verdict (effective or not); exit 2 with one line on stderr for bad flags or a file that is not a usable policy.
 */

const USAGE =
  'usage: payerguard boundary check --boundary FILE --boundary-arn ARN [--identity FILE ...] [--settings FILE] [--json]';

class InputError extends Error {}

const VALUE_FLAGS = new Set(['--boundary', '--boundary-arn', '--identity', '--settings']);

interface Args {
  boundary?: string;
  boundaryArn?: string;
  identity: string[];
  settings?: string;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { identity: [], json: false };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const value = () => {
      if (eq > 0) return raw.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new InputError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--boundary':
        args.boundary = value();
        break;
      case '--boundary-arn':
        args.boundaryArn = value();
        break;
      case '--identity':
        args.identity.push(value());
        break;
      case '--settings':
        args.settings = value();
        break;
      case '--json':
        args.json = true;
        break;
      default:
        throw new InputError(`unknown option "${raw}"`);
    }
  }
  if (!args.boundary) throw new InputError('--boundary FILE is required');
  if (!args.boundaryArn) throw new InputError('--boundary-arn ARN is required');
  return args;
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(
      `cannot read ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}`,
    );
  }
  if (!text.trim()) throw new InputError(`${what} ${file} is empty`);
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InputError(`${what} ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Accepts a bare policy document or what `aws iam get-policy-version` prints (Document possibly URL-encoded). */
function policyFrom(value: unknown, file: string, what: string): unknown {
  const v = value as { PolicyVersion?: { Document?: unknown }; Document?: unknown } | null;
  const doc = v && typeof v === 'object' && !Array.isArray(v) ? (v.PolicyVersion?.Document ?? v.Document ?? v) : v;
  if (typeof doc === 'string') {
    try {
      return JSON.parse(decodeURIComponent(doc));
    } catch {
      throw new InputError(`${what} ${file}: Document is a string that is not (URL-encoded) JSON`);
    }
  }
  return doc;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Partial settings over the defaults: objects merge key by key, anything else replaces. Wrong types are refused. */
export function mergeSettings(base: DistributorSettings, over: unknown, file: string): DistributorSettings {
  if (!isObject(over)) throw new InputError(`settings ${file} must be a JSON object (a partial DistributorSettings)`);
  const merge = (b: unknown, o: unknown, path: string): unknown => {
    if (o === undefined) return b;
    if (isObject(b) && b !== null) {
      if (!isObject(o)) throw new InputError(`settings ${file}: ${path} must be an object`);
      const out: Record<string, unknown> = { ...b };
      for (const [k, v] of Object.entries(o)) out[k] = merge(b[k], v, path ? `${path}.${k}` : k);
      return out;
    }
    if (Array.isArray(b) && !Array.isArray(o)) throw new InputError(`settings ${file}: ${path} must be an array`);
    if (typeof b === 'string' && typeof o !== 'string')
      throw new InputError(`settings ${file}: ${path} must be a string`);
    if (typeof b === 'number' && typeof o !== 'number')
      throw new InputError(`settings ${file}: ${path} must be a number`);
    return o;
  };
  const merged = merge(base, over, '') as DistributorSettings;
  const pr = merged.protectedResources;
  if (!pr.s3Buckets.every((b) => typeof b === 'string') || !pr.billingActions.every((a) => typeof a === 'string'))
    throw new InputError(`settings ${file}: protectedResources.s3Buckets and billingActions must be lists of strings`);
  if (
    !merged.distributorPrincipals.paths.every((p) => typeof p === 'string') ||
    !merged.distributorPrincipals.names.every((n) => typeof n === 'string')
  )
    throw new InputError(`settings ${file}: distributorPrincipals.paths and names must be lists of strings`);
  return merged;
}

function human(r: BoundaryCheckResult): string {
  const lines = [
    `${r.effective ? 'EFFECTIVE' : 'NOT EFFECTIVE'}: ${r.boundaryArn} (${r.checks.filter((c) => c.status === 'fail').length} of ${r.checks.length} checks fail, ${r.simulations} simulations, ${r.durationMs} ms)`,
  ];
  for (const c of r.checks)
    lines.push(
      `  ${c.status === 'pass' ? 'pass' : 'FAIL'}  ${c.id.padEnd(36)} ${c.status === 'fail' ? c.detail : c.title}`,
    );
  if (!r.allowsAdministration)
    lines.push(
      '  note: this boundary also stops ordinary administration (creating a fenced role, running an instance).',
    );
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  // "check" is expected first, but "boundary --json check ..." is read the same way.
  const at = argv[0]?.startsWith('--') ? argv.indexOf('check') : 0;
  const ordered =
    at > 0 && !VALUE_FLAGS.has(argv[at - 1] ?? '') ? ['check', ...argv.slice(0, at), ...argv.slice(at + 1)] : argv;
  const [sub, ...rest] = ordered;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    if (sub !== 'check') throw new InputError(sub ? `unknown subcommand "${sub}"; ${USAGE}` : USAGE);
    const args = parseArgs(rest);
    parseBoundaryArn(args.boundaryArn as string);
    const boundary = policyFrom(readJson(args.boundary as string, 'boundary'), args.boundary as string, 'boundary');
    const identityPolicies = args.identity.map((f, i) => {
      const doc = policyFrom(readJson(f, 'identity policy'), f, 'identity policy');
      return { name: `identity-${i + 1}:${f.split('/').pop()}`, document: doc as never };
    });
    const settings = args.settings
      ? mergeSettings(defaultSettings(), readJson(args.settings, 'settings'), args.settings)
      : undefined;
    const result = checkBoundary({
      boundary,
      boundaryArn: args.boundaryArn as string,
      identityPolicies,
      ...(settings ? { settings } : {}),
    });
    process.stdout.write(args.json ? `${JSON.stringify(result)}\n` : `${human(result)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof InputError || e instanceof PolicyInputError) {
      process.stderr.write(`payerguard boundary: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
