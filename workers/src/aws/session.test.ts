import { describe, expect, it } from 'vitest';
import type { SessionCredentials } from './client-options.js';
import { refreshingSession } from './session.js';

const creds = (id: string, expiresAt: number): SessionCredentials => ({
  accessKeyId: id,
  secretAccessKey: 's',
  sessionToken: 't',
  expiration: new Date(expiresAt),
});

describe('refreshingSession', () => {
  it('hands out the session until the margin, then renews once for every caller waiting', async () => {
    let now = 0;
    let renewals = 0;
    const s = refreshingSession(
      creds('first', 900_000),
      async () => {
        renewals++;
        await new Promise((r) => setTimeout(r, 10));
        return creds(`renewed-${renewals}`, now + 900_000);
      },
      { marginMs: 300_000, now: () => now },
    );
    expect((await s.provider()).accessKeyId).toBe('first');
    now = 599_000;
    expect((await s.provider()).accessKeyId).toBe('first');
    now = 601_000;
    const all = await Promise.all([s.provider(), s.provider(), s.provider()]);
    expect(all.map((c) => c.accessKeyId)).toEqual(['renewed-1', 'renewed-1', 'renewed-1']);
    expect(s.renewals()).toBe(1);
    expect((await s.provider()).accessKeyId).toBe('renewed-1');
  });
  it('throws a failed renewal to the caller and tries again on the next call', async () => {
    let fail = true;
    const s = refreshingSession(
      creds('first', 0),
      async () => {
        if (fail) throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
        return creds('second', Date.now() + 900_000);
      },
      { marginMs: 1 },
    );
    await expect(s.provider()).rejects.toMatchObject({ name: 'AccessDenied' });
    fail = false;
    expect((await s.provider()).accessKeyId).toBe('second');
  });
});
