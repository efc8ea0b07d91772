import { ConfigError } from '@payerguard/core';
import { UsageError } from './usage.js';

/**
 * `payerguard <command> [...]`. Each command lives in commands/<name>.ts and exports
 * `run(argv: string[]): Promise<number | undefined>` (the exit code; undefined = keep running, e.g. servers).
 */
const COMMANDS: Record<
  string,
  { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number | undefined> }> }
> = {
  demo: {
    summary: 'simulator + API + web + workers + first run, all in one process',
    load: () => import('./commands/demo.js'),
  },
  sim: {
    summary: 'run the AWS simulator (--port --partners --seed --registry-out ...)',
    load: () => import('./commands/sim.js'),
  },
  api: { summary: 'run the HTTP API and dashboard', load: () => import('./commands/api.js') },
  worker: { summary: 'run the collection and export workers', load: () => import('./commands/worker.js') },
  collect: { summary: 'start a collection run [--wait] [--json]', load: () => import('./commands/collect.js') },
  partners: { summary: 'partners import FILE | partners list', load: () => import('./commands/partners.js') },
  export: {
    summary: 'export --format csv|json|xlsx|pdf [--partner ID] --out FILE',
    load: () => import('./commands/export.js'),
  },
  users: {
    summary: 'users add --email E --role admin|analyst|partner_viewer [--partner ID]',
    load: () => import('./commands/users.js'),
  },
  boundary: {
    summary: 'boundary check --boundary FILE --boundary-arn ARN [--identity FILE ...] --json',
    load: () => import('./commands/boundary.js'),
  },
  migrate: { summary: 'apply database migrations', load: () => import('./commands/migrate.js') },
};

function usage(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    'usage: payerguard <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([k, v]) => `  ${k.padEnd(w)}  ${v.summary}`),
    '',
    'Environment: PORT, REDIS_URL, DATABASE_URL, DATA_DIR, AWS_ENDPOINT_URL, LOG_LEVEL (see README).',
  ].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    process.exitCode = name ? 0 : 2;
    return;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`payerguard: unknown command "${name}"\n\n${usage()}\n`);
    process.exitCode = 2;
    return;
  }
  const mod = await cmd.load();
  const code = await mod.run(rest);
  if (code !== undefined) process.exitCode = code;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`payerguard: invalid configuration: ${err.message}\n`);
    process.exitCode = 2;
  } else if (err instanceof UsageError) {
    process.stderr.write(`payerguard: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`payerguard: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.LOG_LEVEL === 'debug' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  }
});
