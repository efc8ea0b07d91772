/**
 * "The database is not there right now" (a restart, a failover, a network cut), told apart from "this query is
 * wrong". The API answers the first with 503 and the workers wait it out; the second stays a bug.
 */

// SQLSTATE classes and codes that mean the server went away or is not accepting work yet.
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown (fast/smart shutdown, failover)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '53300', // too_many_connections
]);
const UNAVAILABLE_SQLSTATE_CLASSES = ['08']; // connection exception

const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// node-postgres words some of these only in the message.
const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /connection error/i,
  /timeout exceeded when trying to connect/i,
  /not queryable/i,
  /cannot use a pool after calling end/i,
  /terminating connection due to administrator command/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

/** `err` and the errors it wraps (drizzle puts the driver's error in `cause`), at most five deep. */
function* causes(err: unknown): Generator<{ code?: unknown; message?: unknown; errors?: unknown }> {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    yield e;
}

/** True when `err` (or an error it wraps) means the database is unreachable. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of causes(err)) {
    const { code, message } = e;
    if (typeof code === 'string') {
      if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_NODE_CODES.has(code)) return true;
      if (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_SQLSTATE_CLASSES.includes(code.slice(0, 2))) return true;
    }
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((r) => r.test(message))) return true;
    // AggregateError (a host with several addresses refusing on each).
    const inner = e.errors;
    if (Array.isArray(inner) && inner.some((x) => isDatabaseUnavailable(x))) return true;
  }
  return false;
}

/**
 * True when the server cancelled a statement for running past `statement_timeout` (SQLSTATE 57014, worded so; the
 * same code with another message is a cancel somebody asked for, which stays an error).
 */
export function isStatementTimeout(err: unknown): boolean {
  for (const { code, message } of causes(err))
    if (code === '57014' && typeof message === 'string' && /statement timeout/i.test(message)) return true;
  return false;
}

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

/**
 * Runs `f`, and while the database is unreachable waits (backing off from 250 ms to `maxDelayMs`) and runs it again,
 * for at most `maxWaitMs`; other errors are thrown at once. `f` must be safe to run twice: a commit whose answer was
 * lost may have happened.
 */
export async function whileDatabaseUnavailable<T>(
  f: () => Promise<T>,
  opts: { maxWaitMs?: number; maxDelayMs?: number; onWait?: (err: unknown, waitedMs: number) => void } = {},
): Promise<T> {
  const started = Date.now();
  let delay = 250;
  for (;;) {
    try {
      return await f();
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      const waited = Date.now() - started;
      if (waited >= (opts.maxWaitMs ?? 600_000))
        throw new DatabaseUnavailableError(`the database has been unreachable for ${Math.round(waited / 1000)} s`, {
          cause: err,
        });
      opts.onWait?.(err, waited);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 5_000);
    }
  }
}
