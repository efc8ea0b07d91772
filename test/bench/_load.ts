/**
 * The load generator of the API bench, in a process of its own so its CPU does not share the API's event loop.
 * Reads {url, cookie, connections, seconds, paths, amount?, warmup?} as JSON from stdin (10,000 paths outgrow an
 * argument); requests go round `paths` in turn, for `seconds`, or exactly `amount` requests when given (one lap: each
 * path once). With `warmup` (amount only), the first `warmup` paths are asked first and not timed, and the timed run
 * takes the rest. Prints one JSON line: requests (answers timed), p50Ms, p95Ms, p99Ms (from every response's own
 * time: autocannon reports no p95), rps, and the count of non-2xx answers, errors and timeouts (warm-up included).
 */
import autocannon from 'autocannon';

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
const MIN_SAMPLES = 20;

/**
 * One autocannon run over `paths`, for `seconds` or for `amount` requests; a slow answer waits up to 120 s, not
 * autocannon's 10. Requests per second are counted from the start to the last answer: autocannon's own duration ends
 * on its next one-second tick, which cut a 3.9 s lap's rate to what 5 s would give.
 */
async function load(paths: string[], limit: { duration: number } | { amount: number }) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  let lastAnswer = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        ...limit,
        timeout: 120,
        // As a browser asks: routes that keep their answers gzipped (the drill-down) send those bytes as they are.
        headers: { cookie: spec.cookie, 'accept-encoding': 'gzip, deflate, br' },
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
      },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => {
      latencies.push(ms);
      lastAnswer = performance.now();
    });
  });
  return { result, latencies, seconds: (lastAnswer - started) / 1000 };
}

// Each part must have a request per connection at least (autocannon's rule).
const warmup =
  spec.amount && spec.warmup && spec.warmup >= spec.connections && spec.amount - spec.warmup >= spec.connections
    ? spec.warmup
    : 0;
const warm = warmup > 0 ? await load(spec.paths.slice(0, warmup), { amount: warmup }) : null;
const paths = spec.paths.slice(warmup);
// A route that answers in seconds gives too few answers in a fixed time: then it is timed over a fixed count instead.
let run = await load(paths, spec.amount ? { amount: spec.amount - warmup } : { duration: spec.seconds });
let mode = spec.amount ? 'amount' : 'duration';
if (run.latencies.length < MIN_SAMPLES) {
  run = await load(paths, { amount: Math.max(MIN_SAMPLES, spec.connections) });
  mode = 'amount';
}
const { result, latencies } = run;
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
    non2xx: result.non2xx + (warm?.result.non2xx ?? 0),
    errors: result.errors + (warm?.result.errors ?? 0),
    timeouts: result.timeouts + (warm?.result.timeouts ?? 0),
  }),
);
