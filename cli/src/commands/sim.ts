import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { MAX_PARTNERS, startSimulator } from '@payerguard/sim';
import { UsageError } from '../usage.js';

const USAGE =
  'usage: payerguard sim [--port P] [--host H] [--partners N] [--seed S] [--latency-ms L] [--throttle-rate R] [--registry-out FILE]';

function wholeNumber(flag: string, raw: string | undefined, dflt: number, min: number, max: number): number {
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw.trim()))
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got ${n}`);
  return n;
}

/**
 * `payerguard sim`: the AWS simulator on its own, for pointing a separately started API and workers at it
 * (AWS_ENDPOINT_URL). Runs until SIGINT or SIGTERM.
 */
export async function run(argv: string[]): Promise<number | undefined> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        partners: { type: 'string' },
        seed: { type: 'string' },
        'latency-ms': { type: 'string' },
        'throttle-rate': { type: 'string' },
        'registry-out': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (see payerguard sim --help)`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const port = wholeNumber('port', str('port'), 4566, 0, 65535);
  const partners = wholeNumber('partners', str('partners'), 60, 1, MAX_PARTNERS);
  const seed = wholeNumber('seed', str('seed'), 42, 0, 2 ** 31 - 1);
  const latencyMs = wholeNumber('latency-ms', str('latency-ms'), 0, 0, 600_000);
  const rateRaw = str('throttle-rate');
  const throttleRate = rateRaw === undefined ? 0 : Number(rateRaw);
  if (
    rateRaw !== undefined &&
    (rateRaw.trim() === '' || !Number.isFinite(throttleRate) || throttleRate < 0 || throttleRate > 1)
  )
    throw new UsageError(`--throttle-rate must be a number from 0 to 1, got "${rateRaw}"`);
  const host = str('host') ?? '127.0.0.1';
  const registryOut = str('registry-out');
  if (registryOut === '') throw new UsageError('--registry-out needs a file name');

  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator({ port, host, partners, seed, latencyMs, throttleRate });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`--port ${port} is already in use; pick another or use --port 0`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new UsageError(`--host ${host} is not an address of this machine`);
    throw e;
  }
  if (registryOut) {
    try {
      await writeFile(
        registryOut,
        `${sim
          .registry()
          .map((e) => JSON.stringify(e))
          .join('\n')}\n`,
      );
    } catch (e) {
      await sim.close();
      throw new Error(`cannot write the registry to ${registryOut}: ${(e as Error).message}`);
    }
  }
  const s = sim.estate.summary();
  process.stdout.write(`${sim.url}\n`);
  process.stderr.write(
    `payerguard sim: ${s.partners} partners, ${s.payers} payers (seed ${seed}), hub account ${s.hubAccountId}\n` +
      (registryOut ? `  registry written to ${registryOut}\n` : '') +
      `  point the product at it: AWS_ENDPOINT_URL=${sim.url}\n` +
      `  admin: GET ${sim.url}/_sim/estate, POST/DELETE ${sim.url}/_sim/faults\n`,
  );
  const stop = () => {
    sim.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return undefined;
}
