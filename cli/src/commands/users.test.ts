import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = resolve(import.meta.dirname, '../../../bin/payerguard.js');
const dataDir = mkdtempSync(join(tmpdir(), 'pg-cli-users-'));

/** The real CLI in a child process, on its own PGlite folder (DATABASE_URL blanked so CI's Postgres pass is not touched). */
async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run(process.execPath, [bin, ...args], {
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn', ...env },
      timeout: 50_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('payerguard migrate / users', () => {
  it('migrates, adds users with the password from the environment, lists them, and refuses bad input with exit 2', async () => {
    const m = await cli(['migrate']);
    expect(m.code).toBe(0);
    expect(m.stdout).toMatch(/migrations applied \(PGlite/);

    const add = await cli(['users', 'add', '--email', 'Ops@Example.com', '--role', 'analyst'], {
      PAYERGUARD_PASSWORD: 'cli-password-123',
    });
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('created analyst ops@example.com');
    expect(add.stdout + add.stderr).not.toContain('cli-password-123');

    const dup = await cli(['users', 'add', '--email', 'ops@example.com', '--role', 'admin'], {
      PAYERGUARD_PASSWORD: 'cli-password-123',
    });
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/already exists/);

    const noPartner = await cli(
      ['users', 'add', '--email', 'v@example.com', '--role', 'partner_viewer', '--partner', 'ghost'],
      {
        PAYERGUARD_PASSWORD: 'cli-password-123',
      },
    );
    expect(noPartner.code).toBe(2);
    expect(noPartner.stderr).toMatch(/partner ghost does not exist/);

    // No terminal and no PAYERGUARD_PASSWORD: a clear refusal, never a password flag.
    const noPw = await cli(['users', 'add', '--email', 'x@example.com', '--role', 'admin'], {
      PAYERGUARD_PASSWORD: '',
    });
    expect(noPw.code).toBe(2);
    expect(noPw.stderr).toMatch(/PAYERGUARD_PASSWORD/);
    const flag = await cli(['users', 'add', '--email', 'x@example.com', '--role', 'admin', '--password', 'p']);
    expect(flag.code).toBe(2);

    const list = await cli(['users', 'list', '--json']);
    expect(list.code).toBe(0);
    const users = JSON.parse(list.stdout) as { email: string; role: string }[];
    expect(users.map((u) => [u.email, u.role])).toEqual([['ops@example.com', 'analyst']]);
    expect(list.stdout).not.toMatch(/passwordHash|argon2/);
  }, 180_000);
});
