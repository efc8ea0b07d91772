import { parseArgs } from 'node:util';
import { createLogger, loadConfig } from '@payerguard/core';
import { startStack, waitForFinishedRun } from '../stack.js';
import { UsageError } from '../usage.js';

export async function run(argv: string[]): Promise<number | undefined> {
  let values: { partners?: string; seed?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { partners: { type: 'string' }, seed: { type: 'string' } } }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const partners = values.partners ? Number(values.partners) : 60;
  const seed = values.seed ? Number(values.seed) : 42;
  if (!Number.isInteger(partners) || partners < 1 || partners > 20000)
    throw new UsageError('--partners must be a whole number between 1 and 20000');
  if (!Number.isInteger(seed)) throw new UsageError('--seed must be a whole number');

  const config = loadConfig();
  // The demo's console is for the URL and logins; lockouts and denials it provokes on purpose show in the dashboard.
  const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'error');
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out('payerguard demo: starting the AWS simulator, database, workers and API ...');
  const stack = await startStack({ partners, seed, logger, firstRun: true });
  out('');
  out(`  Dashboard   ${stack.url}`);
  out(`  API docs    ${stack.url}/api/docs`);
  out(`  Simulator   ${stack.sim.url}  (${partners} partners, seed ${seed})`);
  out(`  Root events ${stack.sim.hubQueueUrl}  (ROOT_EVENTS_QUEUE_URL; try POST ${stack.sim.url}/_sim/root-activity)`);
  out(
    `  Database    ${stack.database.kind === 'pglite' ? `PGlite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)'}`,
  );
  out('');
  out('  Logins (password "demo"):');
  out('    admin@demo.local            distributor admin');
  out('    analyst@demo.local          read-only, all partners');
  out(
    `    viewer+<partner id>@demo.local   one per partner, e.g. viewer+${stack.sim.registry()[0]?.partnerId}@demo.local`,
  );
  out('');
  if (stack.firstRunId) {
    out(`  First collection run ${stack.firstRunId} started ...`);
    waitForFinishedRun(stack.database.db, stack.firstRunId)
      .then(() => out(`  First collection run finished: the dashboard is full. Ctrl-C to stop.`))
      .catch((e: Error) => out(`  First run: ${e.message}`));
  }
  const stop = async () => {
    out('\nstopping ...');
    await stack.close().catch(() => {});
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return undefined;
}
