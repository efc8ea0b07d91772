/**
 * Processes the collection benches run beside themselves: the AWS simulator in a process of its own (so its CPU, which
 * shares the machine's cores, is measured apart from payerguard's), and worker processes for scale-out.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RegistryEntry } from '@payerguard/core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(repoRoot, 'bin', 'payerguard.js');

/** CPU time (user + system, every thread) a process has used so far, from /proc. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), counted after the ")" from field 3; ticks are 1/100 s on Linux.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU time of one thread (the main thread of a process: its pid) so far, from /proc. */
export function threadCpuMs(pid: number, tid = pid): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident memory of a process in MB, from /proc. */
export function processRssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

export interface SimProcess {
  url: string;
  pid: number;
  registry: RegistryEntry[];
  cpuMs(): number;
  stats(): Promise<{ requests: number; errors: number; byApi: Record<string, number> }>;
  close(): Promise<void>;
}

export async function startSimProcess(opts: {
  partners: number;
  seed: number;
  latencyMs: number;
}): Promise<SimProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'pg-bench-sim-'));
  const registryFile = join(dir, 'registry.jsonl');
  const child = spawn(
    process.execPath,
    [
      cli,
      'sim',
      '--port',
      '0',
      '--partners',
      String(opts.partners),
      '--seed',
      String(opts.seed),
      '--latency-ms',
      String(opts.latencyMs),
      '--registry-out',
      registryFile,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'silent' } },
  );
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) ok(line.trim());
    });
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.once('exit', (code) => fail(new Error(`the simulator exited (${code}): ${err}`)));
  });
  child.stdout!.resume();
  child.stderr!.resume();
  const registry = (await readFile(registryFile, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RegistryEntry);
  return {
    url,
    pid: child.pid!,
    registry,
    cpuMs: () => processCpuMs(child.pid!),
    async stats() {
      const r = await fetch(`${url}/_sim/stats`);
      return (await r.json()) as { requests: number; errors: number; byApi: Record<string, number> };
    },
    async close() {
      await stop(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Samples a value every `ms` and keeps the largest. */
export function peakSampler(sample: () => number, ms = 100): { peak(): number; stop(): void } {
  let peak = sample();
  const t = setInterval(() => {
    peak = Math.max(peak, sample());
  }, ms);
  t.unref();
  return {
    peak: () => Math.max(peak, sample()),
    stop: () => clearInterval(t),
  };
}

export const r2 = (n: number) => Math.round(n * 100) / 100;
