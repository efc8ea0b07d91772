import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

async function answers(url: string): Promise<boolean> {
  const r = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1500,
    retryStrategy: () => null,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      return isExecutable(`${dir}/${cmd}`);
    } catch {
      return false;
    }
  });
}

function isExecutable(p: string): boolean {
  accessSync(p, constants.X_OK);
  return true;
}

/**
 * The demo needs a Redis. Use REDIS_URL's if it answers; otherwise start a private, non-persistent one when
 * redis-server is installed; otherwise stop with a message that says how to get one.
 */
export async function ensureRedis(url: string): Promise<{ url: string; stop(): void; started: boolean }> {
  if (await answers(url)) return { url, stop: () => {}, started: false };
  if (!onPath('redis-server'))
    throw new Error(
      `REDIS_URL: no Redis answers at ${url} and redis-server is not installed. Start one (e.g. "apt-get install redis-server" or "docker run -p 6379:6379 redis:7") or set REDIS_URL.`,
    );
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (await answers(privateUrl)) return { url: privateUrl, stop: () => child.kill('SIGTERM'), started: true };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`REDIS_URL: could not start a private redis-server on port ${port}`);
}
