import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * botocore's service models (data/<service>/<version>/service-2.json.gz beside the installed botocore): AWS's own
 * description of every operation's shapes, errors and pagination, read here as the reference the simulator must meet.
 */

export interface Shape {
  type: string;
  members?: Record<string, { shape: string; locationName?: string }>;
  required?: string[];
  member?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  error?: { code?: string };
  exception?: boolean;
}

export interface ServiceModel {
  metadata: { protocol: string; apiVersion: string };
  operations: Record<string, { input?: { shape: string }; output?: { shape: string }; errors?: { shape: string }[] }>;
  shapes: Record<string, Shape>;
  paginators: Record<
    string,
    { input_token: string | string[]; output_token: string | string[]; result_key?: string | string[] }
  >;
}

let root: string | undefined;
export function botocoreDir(): string {
  root ??= execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], {
    encoding: 'utf8',
  }).trim();
  return root;
}

export function botocoreVersion(): string {
  return execFileSync('python3', ['-c', 'import botocore;print(botocore.__version__)'], { encoding: 'utf8' }).trim();
}

const cache = new Map<string, ServiceModel>();
/** The newest API version botocore has for the service. */
export function loadModel(service: string): ServiceModel {
  const hit = cache.get(service);
  if (hit) return hit;
  const dir = join(botocoreDir(), 'data', service);
  const version = readdirSync(dir).sort().at(-1)!;
  const read = (name: string) => {
    const gz = join(dir, version, `${name}.gz`);
    if (existsSync(gz)) return JSON.parse(gunzipSync(readFileSync(gz)).toString('utf8'));
    const plain = join(dir, version, name);
    return existsSync(plain) ? JSON.parse(readFileSync(plain, 'utf8')) : undefined;
  };
  const m = read('service-2.json') as Omit<ServiceModel, 'paginators'>;
  const p = read('paginators-1.json') as { pagination?: ServiceModel['paginators'] } | undefined;
  const model = { ...m, paginators: p?.pagination ?? {} };
  cache.set(service, model);
  return model;
}

/** The codes an operation may answer with: its modelled errors (by wire code) plus those every AWS API may return. */
export function errorCodes(model: ServiceModel, operation: string): string[] {
  const common = [
    'AccessDenied',
    'AccessDeniedException',
    'ThrottlingException',
    'Throttling',
    'ValidationException',
    'ValidationError',
    'InternalFailure',
    'ServiceUnavailable',
    'ExpiredToken',
    'ExpiredTokenException',
    'UnrecognizedClientException',
    'InvalidClientTokenId',
  ];
  const modelled = (model.operations[operation]?.errors ?? []).map(
    (e) => model.shapes[e.shape]?.error?.code ?? e.shape,
  );
  return [...modelled, ...common];
}

/**
 * Checks a value (the CLI's JSON output, or a raw JSON answer) against a shape. `strict` also reports members the
 * model does not have (for raw answers: botocore would silently drop them, so the product must not rely on them).
 * Returns one line per problem, with its path.
 */
export function checkShape(
  model: ServiceModel,
  shapeName: string,
  value: unknown,
  opts: { strict: boolean; rawTimestamps?: boolean },
  path = '$',
): string[] {
  const shape = model.shapes[shapeName];
  if (!shape) return [`${path}: unknown shape ${shapeName}`];
  const problems: string[] = [];
  const bad = (what: string) =>
    problems.push(`${path}: expected ${what} (${shapeName}), got ${JSON.stringify(value)?.slice(0, 80)}`);
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        bad('an object');
        break;
      }
      const v = value as Record<string, unknown>;
      for (const req of shape.required ?? []) if (!(req in v)) problems.push(`${path}.${req}: required member missing`);
      for (const [k, child] of Object.entries(v)) {
        const m = shape.members?.[k];
        if (!m) {
          if (opts.strict) problems.push(`${path}.${k}: not a member of ${shapeName}`);
          continue;
        }
        problems.push(...checkShape(model, m.shape, child, opts, `${path}.${k}`));
      }
      break;
    }
    case 'list':
      if (!Array.isArray(value)) bad('a list');
      else
        for (const [i, x] of value.entries())
          problems.push(...checkShape(model, shape.member!.shape, x, opts, `${path}[${i}]`));
      break;
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('a map');
      else
        for (const [k, x] of Object.entries(value))
          problems.push(...checkShape(model, shape.value!.shape, x, opts, `${path}.${k}`));
      break;
    case 'string':
      // The CLI decodes IAM's URL-encoded policy documents into JSON objects; raw answers must be text.
      if (!opts.rawTimestamps && shapeName === 'policyDocumentType' && typeof value === 'object' && value !== null)
        break;
      if (typeof value !== 'string') bad('a string');
      else if (shape.enum && !shape.enum.includes(value)) bad(`one of ${shape.enum.join('|')}`);
      break;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) bad('an integer');
      break;
    case 'float':
    case 'double':
      if (typeof value !== 'number') bad('a number');
      break;
    case 'boolean':
      if (typeof value !== 'boolean') bad('a boolean');
      break;
    case 'timestamp':
      // awsJson/restJson send epoch seconds. The CLI v1 prints what the wire carried (cli_timestamp_format "none"):
      // epoch seconds for JSON protocols, ISO 8601 text for query ones.
      if (opts.rawTimestamps) {
        if (typeof value !== 'number') bad('epoch seconds');
      } else if (!(typeof value === 'number' || (typeof value === 'string' && !Number.isNaN(Date.parse(value)))))
        bad('a timestamp');
      break;
    case 'blob':
      if (typeof value !== 'string') bad('base64 text');
      break;
    default:
      problems.push(`${path}: shape type ${shape.type} not checked`);
  }
  return problems;
}
