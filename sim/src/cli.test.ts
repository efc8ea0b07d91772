import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRegistry } from '@payerguard/core';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/payerguard.js');
const dir = mkdtempSync(join(tmpdir(), 'pg-sim-cli-'));
const children: ChildProcess[] = [];

function runCli(args: string[]): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [BIN, 'sim', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('payerguard sim', () => {
  it('prints its URL, writes the registry as JSON Lines, answers, and stops on SIGTERM', async () => {
    const file = join(dir, 'registry.jsonl');
    const p = runCli(['--port', '0', '--partners', '30', '--seed', '4', '--registry-out', file]);
    const deadline = Date.now() + 30_000;
    while (!/^http:\/\/\S+\n/.test(p.stdout()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const url = p.stdout().trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { entries, problems } = parseRegistry(readFileSync(file, 'utf8'));
    expect(problems).toEqual([]);
    expect(entries.length).toBeGreaterThanOrEqual(30);
    const estate = (await (await fetch(`${url}/_sim/estate`)).json()) as { partners: unknown[]; seed: number };
    expect(estate.partners).toHaveLength(30);
    expect(estate.seed).toBe(4);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
  });

  it.each([
    [['--partners', 'many'], /--partners must be a whole number/],
    [['--throttle-rate', '1.5'], /--throttle-rate must be a number from 0 to 1/],
    [['--nope'], /Unknown option '--nope'/],
    [['--port', '70000'], /--port must be a whole number/],
  ])('bad flags %j: one clear line, exit 2', async (args, message) => {
    const p = runCli(args);
    expect(await p.exit).toBe(2);
    const lines = p.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});
