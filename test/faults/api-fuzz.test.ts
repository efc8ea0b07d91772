import { type RegisteredRoute, routesOf } from '@payerguard/server/app';
import { ALPHA, BETA, USERS } from '@payerguard/server/testing/fixtures';
import { asSession, type Harness, login, startHarness } from '@payerguard/server/testing/harness';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Every route the app registers (read from Fastify itself, so routes added later are fuzzed too), under generated
 * requests: hostile path parameters, query strings and bodies, shaped by the route's own schema or not at all, by
 * every kind of caller. None may answer 5xx, and none may hang. Bounded in time, not in luck: fast-check stops at
 * the time limit, and the test asserts thousands of requests were made.
 */
const TOTAL_REQUESTS = 3_000;
const TIME_LIMIT_MS = 90_000;
const REQUEST_TIMEOUT_MS = 10_000;

let h: Harness;
let routes: RegisteredRoute[];
const callers: Record<string, Record<string, string>> = { anonymous: {} };
const seen = { requests: 0, byStatus: new Map<number, number>() };

beforeAll(async () => {
  h = await startHarness({ options: { runEventsIntervalMs: 20, loginRateLimitPerMinute: 100_000 } });
  routes = routesOf(h.app).filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
  await signIn();
  callers.bogusBearer = { authorization: 'Bearer pg_not-a-real-token' };
}, 120_000);

/** Fresh sessions for every role: a fuzzed logout (or a user change) must not leave later routes with only 401s. */
async function signIn() {
  for (const [role, email] of Object.entries(USERS)) {
    const l = await login(h.app, email).catch(() => undefined);
    if (!l) continue; // a fuzzed request changed this user; keep testing with the old session
    callers[role] = asSession(l);
    // The same session without the CSRF token: unsafe methods must be refused, not crash.
    callers[`${role}-no-csrf`] = { cookie: l.cookie };
  }
}

afterAll(async () => h?.close());

/** Strings that have broken parsers and queries before. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'NaN',
    'null',
    'true',
    '[]',
    '{}',
    "' or 1=1 --",
    '%00',
    '\u0000',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '\ud800',
    'x'.repeat(5_000),
    ALPHA.id,
    BETA.id,
    ALPHA.payer,
    'run-2',
    'u-admin',
    '2026-11-01T12:00:00Z',
    'not-a-date',
  ),
);
const scalar = fc.oneof(nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nasty, tie('value'), { maxKeys: 4 }),
  ),
})).value;
/** Deep nesting: a thousand levels of arrays or objects. */
const deep = fc.integer({ min: 50, max: 2_000 }).map((n) => JSON.parse(`${'['.repeat(n)}1${']'.repeat(n)}`));

/** Percent-encodes every UTF-8 byte (lone surrogates included, which encodeURIComponent refuses). */
const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const propsOf = (schema: unknown): string[] => {
  const p = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return p ? Object.keys(p) : [];
};

/** An object with some of the schema's own keys (so validation passes further in) and maybe extra ones. */
const shaped = (schema: unknown) => {
  const keys = propsOf(schema);
  const own = keys.length
    ? fc.record(Object.fromEntries(keys.map((k) => [k, hostileValue])), { requiredKeys: [] })
    : fc.constant({});
  return fc
    .tuple(own, fc.option(fc.dictionary(nasty, hostileValue, { maxKeys: 2 }), { nil: undefined }))
    .map(([a, b]) => ({ ...(b ?? {}), ...a }));
};

const body = (schema: unknown) =>
  fc.oneof(
    shaped(schema).map((v) => ({ payload: JSON.stringify(v), type: 'application/json' })),
    hostileValue.map((v) => ({ payload: JSON.stringify(v) ?? 'null', type: 'application/json' })),
    deep.map((v) => ({ payload: JSON.stringify(v), type: 'application/json' })),
    nasty.map((s) => ({ payload: s, type: 'application/json' })), // malformed JSON
    nasty.map((s) => ({ payload: s, type: 'text/plain' })),
    nasty.map((s) => ({ payload: s, type: 'application/x-www-form-urlencoded' })),
    fc.constant({ payload: '', type: '' }),
  );

function request(route: RegisteredRoute) {
  const paramNames = [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
  const queryKeys = propsOf(route.schema?.querystring);
  return fc.record({
    caller: fc.constantFrom(...Object.keys(callers)),
    params: fc.tuple(...paramNames.map(() => nasty), fc.constant('')),
    query: fc.dictionary(
      queryKeys.length ? fc.oneof(fc.constantFrom(...queryKeys), nasty) : nasty,
      fc.oneof(nasty, fc.array(nasty, { maxLength: 3 })),
      { maxKeys: 4 },
    ),
    body: route.method === 'GET' || route.method === 'DELETE' ? fc.constant(undefined) : body(route.schema?.body),
  });
}

describe('every API route under generated hostile requests', () => {
  it(
    'answers 2xx/3xx/4xx, never 5xx and never hangs',
    async () => {
      expect(routes.length).toBeGreaterThan(30);
      const failures: string[] = [];
      const started = Date.now();
      const perRoute = Math.ceil(TOTAL_REQUESTS / routes.length);
      for (const route of routes) {
        const left = TIME_LIMIT_MS - (Date.now() - started);
        if (left <= 0) break;
        await signIn();
        await fc.assert(
          fc.asyncProperty(request(route), async (r) => {
            let i = 0;
            const path =
              route.url.replace(/:([A-Za-z0-9_]+)/g, () => pct(r.params[i++] ?? '')).replace(/\*$/, '') || '/';
            const qs = Object.entries(r.query)
              .flatMap(([k, v]) => [v].flat().map((x) => `${pct(k)}=${pct(String(x))}`))
              .join('&');
            const url = qs ? `${path}?${qs}` : path;
            const opts: InjectOptions = {
              method: route.method as InjectOptions['method'],
              url,
              headers: {
                ...callers[r.caller],
                ...(r.body?.type ? { 'content-type': r.body.type } : {}),
              },
              ...(r.body ? { payload: r.body.payload } : {}),
            };
            const res = await Promise.race([
              h.app.inject(opts),
              new Promise<never>((_, rej) =>
                setTimeout(() => rej(new Error('no answer within 10 s')), REQUEST_TIMEOUT_MS).unref(),
              ),
            ]);
            seen.requests++;
            seen.byStatus.set(res.statusCode, (seen.byStatus.get(res.statusCode) ?? 0) + 1);
            if (res.statusCode >= 500) {
              failures.push(`${route.method} ${url} as ${r.caller} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
              return false;
            }
            return true;
          }),
          { numRuns: perRoute, interruptAfterTimeLimit: Math.max(1_000, left), seed: 20261203, endOnFailure: true },
        );
      }
      // The figures the closing note quotes: requests made, answers by status.
      console.info(
        JSON.stringify({
          fuzz: 'api',
          routes: routes.length,
          requests: seen.requests,
          byStatus: Object.fromEntries([...seen.byStatus].sort((a, b) => a[0] - b[0])),
          ms: Date.now() - started,
        }),
      );
      expect(failures).toEqual([]);
      expect(seen.requests).toBeGreaterThanOrEqual(2_000);
    },
    TIME_LIMIT_MS + 60_000,
  );
});
