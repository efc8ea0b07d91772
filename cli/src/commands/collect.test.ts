import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Simulator, startSimulator } from '@payerguard/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `payerguard partners import` and `payerguard collect --wait --json` as a user runs them: the real CLI in a child
 * process, embedded PGlite in a fresh data folder, the simulator over HTTP.
 */
const bin = resolve(import.meta.dirname, '../../../bin/payerguard.js');
let sim: Simulator;
let dir: string;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: {
        ...process.env,
        DATA_DIR: join(dir, 'data'),
        DATABASE_URL: '',
        AWS_ENDPOINT_URL: sim.url,
        AWS_ACCESS_KEY_ID: 'AKIATESTHUB000000001',
        AWS_SECRET_ACCESS_KEY: 'test-hub-secret',
        LOG_LEVEL: 'info',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, partners: 26, seed: 3 });
  dir = mkdtempSync(join(tmpdir(), 'pg-cli-'));
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('payerguard partners import / collect', () => {
  it('refuses a registry with bad rows, naming each line, and imports nothing', async () => {
    const lines = sim.registry().map((e) => JSON.stringify(e));
    lines.splice(2, 0, '{"partnerId":"x"}');
    lines.push(JSON.stringify({ ...sim.registry()[0], partnerId: 'dup-payer', partnerName: 'Dup' }));
    writeFileSync(join(dir, 'bad.jsonl'), `${lines.join('\n')}\n`);
    const r = await cli(['partners', 'import', join(dir, 'bad.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.jsonl:3: partnerName: required/);
    expect(r.stderr).toMatch(
      new RegExp(`bad\\.jsonl:${lines.length}: payerAccountId \\d{12} already listed on line 1`),
    );
    expect(r.stderr).toMatch(/nothing imported/);
    const list = await cli(['partners', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('imports the registry, then collects every payer and prints exactly one JSON object', async () => {
    const registry = sim.registry();
    writeFileSync(join(dir, 'good.jsonl'), `${registry.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const imp = await cli(['partners', 'import', join(dir, 'good.jsonl')]);
    expect(imp.code).toBe(0);
    expect(imp.stdout).toContain(`${registry.length} payers`);

    const r = await cli(['collect', '--wait', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!);
    const lockouts = sim.estate.payers
      .filter((p) => p.profiles.some((x) => x.startsWith('lockout')))
      .map((p) => p.accountId);
    expect(Object.keys(out).sort()).toEqual(['collected', 'failed', 'failures', 'runId', 'status', 'total']);
    expect(out).toMatchObject({
      status: 'completed',
      total: registry.length,
      collected: registry.length - lockouts.length,
      failed: lockouts.length,
    });
    expect(out.failures.map((f: { payerAccountId: string }) => f.payerAccountId).sort()).toEqual(lockouts.sort());
    expect(new Set(out.failures.map((f: { errorCode: string }) => f.errorCode))).toEqual(new Set(['AccessDenied']));
    // Progress went to stderr; no ExternalId anywhere in what the user sees.
    expect(r.stderr).toMatch(new RegExp(`${registry.length}/${registry.length} done`));
    for (const e of registry) expect(r.stdout + r.stderr).not.toContain(e.externalId);
    // A whole run in a child process that reads every enabled region: minutes on a busy 2-core machine.
  }, 240_000);

  it('rejects bad flags with a usage error', async () => {
    const r = await cli(['collect', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: payerguard collect/);
  });
});
