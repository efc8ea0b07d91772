import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from './app.js';
import { driveEveryRoute, type Exchange } from './testing/contract-drive.js';
import { type Harness, startHarness } from './testing/harness.js';

/**
 * The API contract: every answer of every route matches the response schema that /api/openapi.json declares for it
 * (the schema the web client's types are generated from).
 *
 * Two apps on the same fixtures: the real one (answers go through the schema serializer), and one that answers with
 * JSON.stringify, so we see what each handler really returns. Against the second, every object schema is closed: a
 * field a handler returns that its schema does not list would be silently dropped by the real serializer, and fails
 * here instead.
 */

type Json = Record<string, unknown>;
interface OpenApi {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Json }> }> }>
  >;
  components: { schemas: Record<string, Json> };
}

/** Where the schema describes JSON; /api/openapi.json and the Swagger UI pages are the docs themselves. */
const DOCS = /^\/api\/(openapi\.json|docs)/;
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

/** Every object that lists its properties and says nothing about others gets `additionalProperties: false`. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json))
    out[k] =
      k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, closed(s)])) : closed(v);
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined && !out.patternProperties)
    out.additionalProperties = false;
  return out;
}

/** Validators for each route's answers, from the OpenAPI document (components become $defs). */
function validators(doc: OpenApi, close: boolean) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  addFormats.default(ajv);
  const local = (s: unknown) =>
    JSON.parse(JSON.stringify(close ? closed(s) : s).replaceAll('#/components/schemas/', '#/$defs/')) as Json;
  const $defs = local(doc.components.schemas);
  const cache = new Map<string, ValidateFunction | null>();
  return (method: string, path: string, status: number): ValidateFunction | null => {
    const key = `${method} ${path} ${status}`;
    if (!cache.has(key)) {
      const responses = doc.paths[path]?.[method.toLowerCase()]?.responses ?? {};
      const r = responses[String(status)] ?? responses[`${String(status)[0]}XX`];
      const schema = r?.content?.['application/json']?.schema;
      cache.set(key, schema ? ajv.compile({ ...local(schema), $defs }) : null);
    }
    return cache.get(key)!;
  };
}

const problems = (v: ValidateFunction) =>
  (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);

let real: Harness;
let raw: Harness;
let doc: OpenApi;
let served: Exchange[];
let returned: Exchange[];

beforeAll(async () => {
  [real, raw] = await Promise.all([
    startHarness({ config: { demo: true } }),
    startHarness({ config: { demo: true }, options: { serializeWithoutSchemas: true } }),
  ]);
  doc = (await real.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  served = await driveEveryRoute(real.app);
  returned = await driveEveryRoute(raw.app);
}, 120_000);
afterAll(async () => Promise.all([real?.close(), raw?.close()]));

function check(exchanges: Exchange[], close: boolean) {
  const validate = validators(doc, close);
  const failures: string[] = [];
  for (const e of exchanges) {
    if (!e.contentType.includes('json')) continue;
    const [method, route] = e.route.split(' ') as [string, string];
    const v = validate(method, openApiPath(route), e.status);
    if (!v) failures.push(`${e.route} ${e.status} (${e.as}): no JSON response schema declared`);
    else if (!v(e.body)) failures.push(`${e.route} ${e.status} (${e.as}) ${e.url}: ${problems(v).join('; ')}`);
  }
  return failures;
}

describe('API contract', () => {
  it('every API route declares a JSON response schema for its success status, and the drive calls every route', () => {
    const routes = routesOf(real.app).filter(
      (r) => r.url.startsWith('/api') && !DOCS.test(r.url) && r.method !== 'HEAD',
    );
    expect(routes.length).toBeGreaterThan(40);
    const missing: string[] = [];
    for (const r of routes) {
      const op = doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()];
      // 204 No Content is the one success without a body to describe.
      const ok = Object.entries(op?.responses ?? {}).filter(([s]) => /^2/.test(s) && s !== '204');
      const noContent = !!op?.responses?.['204'];
      if (!op) missing.push(`${r.method} ${r.url}: not in /api/openapi.json`);
      else if (
        (ok.length === 0 && !noContent) ||
        ok.some(([, resp]) => !Object.values(resp.content ?? {}).some((c) => c.schema))
      )
        missing.push(`${r.method} ${r.url}: no response schema for its 2xx answer`);
      else if (!op.responses?.['4XX'] || !op.responses?.['5XX'])
        missing.push(`${r.method} ${r.url}: no error shape for 4xx/5xx`);
    }
    expect(missing).toEqual([]);
    const driven = new Set(served.map((e) => e.route));
    // The run progress stream is server-sent events, covered by the runs tests.
    const undriven = routes.map((r) => `${r.method} ${r.url}`).filter((r) => !driven.has(r) && !r.endsWith('/events'));
    expect(undriven).toEqual([]);
  });

  it('every answer the real app sends matches its declared schema (success and error shapes)', () => {
    expect(served.length).toBeGreaterThan(100);
    expect(served.filter((e) => e.status >= 500)).toEqual([]);
    expect(check(served, false)).toEqual([]);
  });

  it('handlers return nothing their schema would drop or coerce (objects closed, raw handler output)', () => {
    expect(check(returned, true)).toEqual([]);
  });

  it('the serializer keeps every field a handler returns', () => {
    // Same drive, same fixtures: statuses agree and each answer has the same fields, with the same JSON types.
    const shape = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(shape)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([k, x]) => [k, shape(x)]),
            )
          : v === null
            ? null
            : typeof v;
    expect(served.map((e) => `${e.route} ${e.status}`)).toEqual(returned.map((e) => `${e.route} ${e.status}`));
    const differ = served
      .map((e, i) => ({ e, other: returned[i]! }))
      .filter(({ e, other }) => JSON.stringify(shape(e.body)) !== JSON.stringify(shape(other.body)))
      .map(({ e }) => `${e.route} ${e.status} (${e.as})`);
    expect(differ).toEqual([]);
  });

  it('fails when an answer has a field of the wrong type, misses a required one, or returns an unlisted one', () => {
    const good = served.find((e) => e.route === 'GET /api/partners/:id' && e.status === 200 && e.as === 'admin')!;
    const validate = validators(doc, true)('GET', '/api/partners/{id}', 200)!;
    const body = structuredClone(good.body) as Json & { snapshot: Json; findings: Json[] };
    expect(validate(body), problems(validate).join('; ')).toBe(true);

    const wrongType = structuredClone(body);
    wrongType.snapshot.score = '60';
    expect(validate(wrongType)).toBe(false);
    expect(problems(validate).join()).toContain('/snapshot/score must be integer');

    const missing = structuredClone(body);
    delete missing.findings[0]!.severity;
    expect(validate(missing)).toBe(false);
    expect(problems(validate).join()).toContain("must have required property 'severity'");

    const badGrade = structuredClone(body);
    badGrade.snapshot.grade = 'E';
    expect(validate(badGrade)).toBe(false);

    const unlisted = structuredClone(body);
    unlisted.snapshot.margin = 12.5;
    expect(validate(unlisted)).toBe(false);
    expect(problems(validate).join()).toContain('must NOT have additional properties');
  });
});
