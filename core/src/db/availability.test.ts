import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, isDatabaseUnavailable, whileDatabaseUnavailable } from './availability.js';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['admin shutdown (a restart)', pgError('57P01', 'terminating connection due to administrator command')],
    ['a server still starting', pgError('57P03', 'the database system is starting up')],
    ['a connection exception class', pgError('08006')],
    ['a dropped socket', new Error('Connection terminated unexpectedly')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['one wrapped by drizzle', new Error('Failed query: select 1', { cause: pgError('ECONNREFUSED') })],
    ['an AggregateError of refusals', Object.assign(new AggregateError([pgError('ECONNREFUSED')]), {})],
  ])('%s is an outage', (_, err) => expect(isDatabaseUnavailable(err)).toBe(true));

  it.each([
    ['a syntax error', pgError('42601', 'syntax error at or near "selec"')],
    ['a unique violation', pgError('23505', 'duplicate key value')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error at all', 'ECONNREFUSED'],
  ])('%s is not', (_, err) => expect(isDatabaseUnavailable(err)).toBe(false));
});

describe('whileDatabaseUnavailable', () => {
  it('retries through an outage and returns the answer', async () => {
    let calls = 0;
    const waits: number[] = [];
    const out = await whileDatabaseUnavailable(
      async () => {
        if (++calls < 3) throw pgError('ECONNREFUSED');
        return 'ok';
      },
      { maxDelayMs: 10, onWait: (_, w) => waits.push(w) },
    );
    expect(out).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('throws other errors at once', async () => {
    let calls = 0;
    await expect(
      whileDatabaseUnavailable(async () => {
        calls++;
        throw pgError('23505', 'duplicate key value');
      }),
    ).rejects.toThrow('duplicate key');
    expect(calls).toBe(1);
  });

  it('gives up after maxWaitMs with a clear error', async () => {
    const p = whileDatabaseUnavailable(
      async () => {
        throw pgError('ECONNREFUSED');
      },
      { maxWaitMs: 50, maxDelayMs: 10 },
    );
    await expect(p).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(p).rejects.toThrow(/unreachable for \d+ s/);
  });
});
