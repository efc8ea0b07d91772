import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has defaults that run the demo with nothing set', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe('.data');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT: must be a whole number, got "eighty"'],
    [{ PORT: '70000' }, 'PORT: must be between 1 and 65535, got 70000'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL: must use redis: or rediss:, got "http:"'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL: is not a valid URL'],
    [{ AWS_ENDPOINT_URL: 'ftp://sim' }, 'AWS_ENDPOINT_URL: must use http: or https:'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: must be one of'],
    [{ WORKER_CONCURRENCY: '0' }, 'WORKER_CONCURRENCY: must be between 1 and 256, got 0'],
  ])('rejects %o with one line naming the variable', (env, message) => {
    let err: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('refuses PAYERGUARD_DEMO from the environment: only the demo command opens the demo logins', () => {
    expect(loadConfig({}).demo).toBe(false);
    expect(() => loadConfig({ PAYERGUARD_DEMO: '1' })).toThrow(
      /PAYERGUARD_DEMO: demo mode is set by `payerguard demo` only/,
    );
  });

  it('DELIVERY_ALLOW_PRIVATE_NETWORKS is off unless set to true', () => {
    expect(loadConfig({}).deliveryAllowPrivateNetworks).toBe(false);
    expect(loadConfig({ DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true' }).deliveryAllowPrivateNetworks).toBe(true);
    expect(() => loadConfig({ DELIVERY_ALLOW_PRIVATE_NETWORKS: 'yes please' })).toThrow(
      /DELIVERY_ALLOW_PRIVATE_NETWORKS: must be true or false/,
    );
  });
});
