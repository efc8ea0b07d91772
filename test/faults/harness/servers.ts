import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Private Redis and PostgreSQL servers for fault scenarios that restart or wipe them: the shared servers other tests
 * use are never touched. Each starts on a free port chosen by the kernel.
 */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, f: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await f().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`${what}: not ready within ${timeoutMs} ms`);
    await sleep(100);
  }
}

const exited = (p: ChildProcess) =>
  p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => p.once('exit', () => r()));

export interface PrivateRedis {
  url: string;
  port: number;
  /** FLUSHALL: every key gone, as after a wipe or a failover to an empty replica. */
  wipe(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** `redis-server --port P --save ''`: no persistence, so a restart is also a wipe. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;
  const ping = async () => {
    const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => {});
    try {
      await c.connect();
      return (await c.ping()) === 'PONG';
    } finally {
      c.disconnect();
    }
  };
  const start = async () => {
    proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: 'ignore' },
    );
    await until(`redis on ${port}`, ping);
  };
  await start();
  return {
    url,
    port,
    async wipe() {
      const c = new Redis(url, { maxRetriesPerRequest: 1 });
      await c.flushall();
      c.disconnect();
    },
    async stop() {
      if (!proc) return;
      const p = proc;
      proc = undefined;
      p.kill('SIGKILL');
      await exited(p);
    },
    start,
  };
}

export interface PrivatePostgres {
  url: string;
  port: number;
  /** Fast shutdown (what a restart or failover looks like to clients: every connection terminated). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops and removes the data directory. */
  destroy(): Promise<void>;
}

const PG_BIN = '/usr/lib/postgresql/15/bin';

/**
 * A throwaway PostgreSQL 15 (initdb in a temp dir, trust auth). PostgreSQL refuses to run as root, and CI runs as
 * root: then it runs as the `postgres` user, which owns the data directory.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'payerguard-pg-'));
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  const run = (bin: string, args: string[]) =>
    asRoot
      ? (['runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]] as const)
      : ([join(PG_BIN, bin), args] as const);
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const [initCmd, initArgs] = run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  execFileSync(initCmd, [...initArgs], { stdio: 'ignore' });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let proc: ChildProcess | undefined;
  const ready = async () => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.query('select 1');
      return true;
    } finally {
      await c.end().catch(() => {});
    }
  };
  const start = async () => {
    const [cmd, args] = run('postgres', [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'max_connections=60',
    ]);
    proc = spawn(cmd, [...args], { stdio: 'ignore' });
    await until(`postgres on ${port}`, ready);
  };
  const stop = async () => {
    if (!proc) return;
    const p = proc;
    proc = undefined;
    // Fast shutdown: active connections are terminated (57P01), as in a restart or failover. pg_ctl signals the
    // postmaster itself (runuser does not pass signals on).
    const [cmd, args] = run('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w', '-t', '20']);
    try {
      execFileSync(cmd, [...args], { stdio: 'ignore' });
    } catch {
      p.kill('SIGKILL');
    }
    await Promise.race([exited(p), sleep(5_000)]);
  };
  await start();
  return {
    url,
    port,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
