/**
 * The load generator of the API bench, in a process of its own so its CPU does not share the API's event loop.
 * Reads {url, cookie, connections, seconds, paths, amount?, warmup?} as JSON from stdin (10,000 paths outgrow an
 * argument); requests go round `paths` in turn, for `seconds`, or exactly `amount` requests when given (one lap: each
 * path once). With `warmup` (amount only), the first `warmup` paths are asked first and not timed, and the timed run
 * takes the rest. Prints one JSON line: requests (answers timed), p50Ms, p95Ms, p99Ms (each response's time from the
 * request to its last byte), rps, and the count of non-2xx answers, errors and timeouts (warm-up included).
 *
 * `connections` keep-alive connections (undici Clients), each asking its next path once the last answer is read: what
 * that many browser tabs do. Undici rather than autocannon: on the bench's 2 cores the generator competes with the API
 * and PostgreSQL it measures, and autocannon (a JavaScript HTTP parser) took ~0.2 ms of CPU a request, as much as the
 * API; undici (llhttp) takes ~0.11 ms (docs/operations.md has both on the same estate).
 */
import { Client, errors } from 'undici';

interface LoadSpec {
  url: string;
  cookie: string;
  connections: number;
  seconds: number;
  paths: string[];
  amount?: number;
  warmup?: number;
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const spec = JSON.parse(input || '{}') as LoadSpec;
if (!spec.url || !spec.paths?.length) throw new Error('usage: echo \'{"url":..., "paths":[...], ...}\' | _load.ts');
if (!Number.isInteger(spec.connections) || spec.connections < 1)
  throw new Error(`connections: expected an integer >= 1, got ${spec.connections}`);
const MIN_SAMPLES = 20;
// A slow answer is a figure, not an error: it may take up to 120 s.
const TIMEOUT_MS = 120_000;
// As a browser asks: routes that keep their answers gzipped (the drill-down) send those bytes as they are.
const headers = { cookie: spec.cookie, 'accept-encoding': 'gzip, deflate, br' };
const clients = Array.from(
  { length: spec.connections },
  () =>
    new Client(spec.url, {
      pipelining: 1,
      keepAliveTimeout: TIMEOUT_MS,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    }),
);

/**
 * Every connection asks in turn until `amount` requests are sent or `duration` seconds have passed. Requests per
 * second are counted from the start to the last answer.
 */
async function load(paths: string[], limit: { duration: number } | { amount: number }) {
  const latencies: number[] = [];
  const counts = { non2xx: 0, errors: 0, timeouts: 0 };
  let sent = 0;
  const started = performance.now();
  let lastAnswer = started;
  const total = 'amount' in limit ? limit.amount : Number.POSITIVE_INFINITY;
  const deadline = 'duration' in limit ? started + limit.duration * 1000 : Number.POSITIVE_INFINITY;
  await Promise.all(
    clients.map(async (client) => {
      while (sent < total && performance.now() < deadline) {
        const path = paths[sent++ % paths.length]!;
        const t = performance.now();
        try {
          const r = await client.request({ path, method: 'GET', headers });
          for await (const _ of r.body) {
            // read to the last byte: the answer is timed whole
          }
          lastAnswer = performance.now();
          latencies.push(lastAnswer - t);
          if (r.statusCode < 200 || r.statusCode > 299) counts.non2xx++;
        } catch (e) {
          if (e instanceof errors.HeadersTimeoutError || e instanceof errors.BodyTimeoutError) counts.timeouts++;
          else counts.errors++;
        }
      }
    }),
  );
  return { latencies, ...counts, seconds: (lastAnswer - started) / 1000 };
}

// Each part must have a request per connection at least, or some connections would sit out the timed part.
const warmup =
  spec.amount && spec.warmup && spec.warmup >= spec.connections && spec.amount - spec.warmup >= spec.connections
    ? spec.warmup
    : 0;
const warm = warmup > 0 ? await load(spec.paths.slice(0, warmup), { amount: warmup }) : null;
const paths = spec.paths.slice(warmup);
if (!paths.length)
  throw new Error(`warmup: ${warmup} takes every one of the ${spec.paths.length} paths; none is left to time`);
// A route that answers in seconds gives too few answers in a fixed time: then it is timed over a fixed count instead.
const first = await load(paths, spec.amount ? { amount: spec.amount - warmup } : { duration: spec.seconds });
let run = first;
let mode = spec.amount ? 'amount' : 'duration';
if (first.latencies.length < MIN_SAMPLES && !first.errors) {
  run = await load(paths, { amount: Math.max(MIN_SAMPLES, spec.connections) });
  mode = 'amount';
}
await Promise.all(clients.map((c) => c.close()));
const { latencies } = run;
// Every request sent counts in the totals: the warm-up's, and a first run too short to time.
const parts = [warm, first, run === first ? null : run].filter((p) => p !== null);
const sum = (k: 'non2xx' | 'errors' | 'timeouts') => parts.reduce((n, p) => n + p[k], 0);
const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0) * 100) / 100;
};
console.log(
  JSON.stringify({
    requests: latencies.length,
    p50Ms: quantile(latencies, 0.5),
    p95Ms: quantile(latencies, 0.95),
    p99Ms: quantile(latencies, 0.99),
    rps: Math.round((latencies.length / (run.seconds || spec.seconds)) * 100) / 100,
    mode,
    ...(warm
      ? {
          warmupRequests: warm.latencies.length,
          // The same lap with its warm-up counted: what a process just started gives.
          withWarmupP95Ms: quantile([...warm.latencies, ...latencies], 0.95),
        }
      : {}),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
  }),
);
