/**
 * The load generator of the API bench, in a process of its own so its CPU does not share the API's event loop.
 * Reads {url, cookie, connections, seconds, paths, amount?} as JSON from stdin (10,000 paths outgrow an argument); requests go round
 * `paths` in turn, for `seconds`, or exactly `amount` requests when given (one lap: each path once). Prints one
 * JSON line: requests (answers received), p50Ms, p95Ms, p99Ms (from every response's own time: autocannon reports no p95), rps, and the
 * count of non-2xx answers, errors and timeouts.
 */
import autocannon from 'autocannon';

interface LoadSpec {
  url: string;
  cookie: string;
  connections: number;
  seconds: number;
  paths: string[];
  amount?: number;
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const spec = JSON.parse(input || '{}') as LoadSpec;
if (!spec.url || !spec.paths?.length) throw new Error('usage: echo \'{"url":..., "paths":[...], ...}\' | _load.ts');
const MIN_SAMPLES = 20;

/** One autocannon run, for `seconds` or for `amount` requests; a slow answer waits up to 120 s, not autocannon's 10. */
async function load(limit: { duration: number } | { amount: number }) {
  const latencies: number[] = [];
  let next = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        ...limit,
        timeout: 120,
        // As a browser asks: routes that keep their answers gzipped (the drill-down) send those bytes as they are.
        headers: { cookie: spec.cookie, 'accept-encoding': 'gzip, deflate, br' },
        requests: [
          { method: 'GET', setupRequest: (req) => ({ ...req, path: spec.paths[next++ % spec.paths.length] }) },
        ],
      },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  return { result, latencies };
}

// A route that answers in seconds gives too few answers in a fixed time: then it is timed over a fixed count instead.
let run = await load(spec.amount ? { amount: spec.amount } : { duration: spec.seconds });
let mode = spec.amount ? 'amount' : 'duration';
if (run.latencies.length < MIN_SAMPLES) {
  run = await load({ amount: Math.max(MIN_SAMPLES, spec.connections) });
  mode = 'amount';
}
const { result, latencies } = run;
latencies.sort((a, b) => a - b);
const q = (p: number) =>
  Math.round((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0) * 100) / 100;
console.log(
  JSON.stringify({
    requests: latencies.length,
    p50Ms: q(0.5),
    p95Ms: q(0.95),
    p99Ms: q(0.99),
    rps: Math.round((latencies.length / (result.duration || spec.seconds)) * 100) / 100,
    mode,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  }),
);
