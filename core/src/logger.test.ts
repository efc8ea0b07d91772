import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './db/index.js';
import { createLogger, errorText } from './logger.js';
import { testDatabase } from './testing/db.js';

const SECRET = 'whsec-9f2c41d0e7b8';
let database: Database;
let failed: Error;

beforeAll(async () => {
  database = await testDatabase();
  await database.db.execute(sql`create table leak_probe (id int primary key, secret text, required text not null)`);
  // A real failed statement: drizzle's error names the parameters, PostgreSQL's detail quotes the failing row.
  failed = await database.db
    .execute(sql`insert into leak_probe (id, secret, required) values (1, ${SECRET}, ${null})`)
    .then(
      () => new Error('the insert was expected to fail'),
      (e: Error) => e,
    );
}, 60_000);

afterAll(async () => database?.close());

/** A logger destination that keeps what was written. */
function capture() {
  let text = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { sink, out: () => text };
}

describe('a failed query in the logs', () => {
  it('carries the parameter in the raw error (what the log must not print)', () => {
    expect(`${failed.message} ${JSON.stringify(failed, Object.getOwnPropertyNames(failed))}`).toContain(SECRET);
  });

  it('is logged with its statement, SQLSTATE and server message, never the parameter', () => {
    const { sink, out } = capture();
    createLogger('info', 'test', sink).error({ err: failed }, 'request failed');
    expect(out()).toContain('insert into leak_probe');
    expect(out()).toContain('23502');
    expect(out()).toContain('null value in column');
    expect(out()).not.toContain(SECRET);
  });

  it('survives an error that is its own cause', () => {
    const loop = new Error('loop');
    (loop as { cause?: unknown }).cause = loop;
    const { sink, out } = capture();
    createLogger('info', 'test', sink).error({ err: loop }, 'looped');
    expect(out()).toContain('cause chain cut');
  });

  it('errorText keeps the statement and the answer, not the parameter', () => {
    const text = errorText(failed);
    expect(text).toMatch(/^Failed query: insert into leak_probe .*: null value in column/);
    expect(text).not.toContain(SECRET);
    expect(errorText(new Error('plain'))).toBe('plain');
  });
});
