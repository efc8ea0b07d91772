import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../../bin/payerguard.js');

export interface Proc {
  name: string;
  child: ChildProcess;
  /** Everything written to stdout / stderr so far. */
  out(): string;
  err(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exit: Promise<number | string>;
  alive(): boolean;
  /** SIGKILL if still running (cleanup). */
  kill(): Promise<void>;
}

/**
 * `payerguard <args>` as a separate process, the way an operator runs the API, a worker or `collect`. `bin` is the
 * entry point: the source CLI by default, or the compiled one (dist/payerguard.mjs) the image runs.
 */
export function payerguard(name: string, args: string[], env: Record<string, string>, bin = BIN): Proc {
  const child = spawn(process.execPath, [bin, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += String(d);
  });
  child.stderr?.on('data', (d) => {
    err += String(d);
  });
  const exit = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return {
    name,
    child,
    out: () => out,
    err: () => err,
    exit,
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
}

/** Polls `f` until it returns something truthy. */
export async function eventually<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
