import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, loadConfig } from '@payerguard/core';
import { SECRETS, USERS } from '@payerguard/server/testing/fixtures';
import { type Harness, startHarness } from '@payerguard/server/testing/harness';
import { type ExportWorkers, startExportWorkers } from '@payerguard/workers/exports/index';

/**
 * The API listening on a real port (with the test fixtures: partners alpha and beta, an admin, an analyst and
 * alpha's viewer), the export workers on the same database and queues, and a tiny HTTP client that can pick its
 * source address (127.0.0.x) so attacks "from elsewhere" really come from another address.
 */
export interface SecurityStack {
  h: Harness;
  base: string;
  workers: ExportWorkers;
  close(): Promise<void>;
}

export async function startSecurityStack(): Promise<SecurityStack> {
  // Login throttling at its production settings (5 failures per account and address); the coarse per-address limit
  // is raised because every request of this suite comes from loopback.
  const h = await startHarness({ options: { loginRateLimitPerMinute: 1000 } });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  const config = { ...loadConfig({}), redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
  const workers = await startExportWorkers({
    db: h.database.db,
    config,
    logger: createLogger('silent'),
    prefix: h.prefix,
  });
  return {
    h,
    base,
    workers,
    async close() {
      await workers.close();
      await h.close();
    },
  };
}

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers of many routes, each test reads the fields it checks
  json: any;
}

export interface Session {
  cookie: string;
  csrf: string;
}

export async function http(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; raw?: string; session?: Session; token?: string; from?: string } = {},
): Promise<Res> {
  const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const headers: Record<string, string> = {};
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  if (opts.session) {
    headers.cookie = opts.session.cookie;
    headers['x-csrf-token'] = opts.session.csrf;
  }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      { method, headers, localAddress: opts.from ?? '127.0.0.1', agent: false },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export async function loginAs(base: string, email: string, password = SECRETS.password): Promise<Session> {
  const r = await http(base, 'POST', '/api/auth/login', { body: { email, password } });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${r.text}`);
  const set = r.headers['set-cookie'];
  const cookie = String(Array.isArray(set) ? set[0] : set).split(';')[0]!;
  return { cookie, csrf: r.json.csrfToken };
}

export { SECRETS, USERS };
