import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig, openDatabase } from '@payerguard/core';
import { createUser, listUsers } from '@payerguard/server/users';
import { UsageError } from '../usage.js';

const USAGE =
  'usage: payerguard users add --email E --role admin|analyst|partner_viewer [--partner ID] [--name N] | users list [--json]';

/** Reads a password without echoing it. Refuses when there is no terminal to ask on. */
async function promptPassword(label: string): Promise<string> {
  if (!process.stdin.isTTY) throw new UsageError('no terminal to ask for the password: set PAYERGUARD_PASSWORD');
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream };
  let prompting = true;
  out._writeToOutput = (s: string) => {
    if (!prompting || s.includes(label)) out.output.write(s);
  };
  const answer = await new Promise<string>((resolve) => rl.question(label, resolve));
  prompting = false;
  rl.close();
  process.stdout.write('\n');
  return answer;
}

export async function run(argv: string[]): Promise<number | undefined> {
  const [sub, ...rest] = argv;
  if (sub !== 'add' && sub !== 'list') throw new UsageError(USAGE);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        email: { type: 'string' },
        role: { type: 'string' },
        partner: { type: 'string' },
        name: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  const config = loadConfig();
  if (sub === 'add') {
    if (typeof values.email !== 'string' || typeof values.role !== 'string')
      throw new UsageError(`--email and --role are required\n${USAGE}`);
    // Never a flag: flags end up in shell history and process listings.
    const password = process.env.PAYERGUARD_PASSWORD || (await promptPassword('password: '));
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      await database.migrate();
      const u = await createUser(database.db, {
        email: values.email,
        password,
        role: values.role,
        partnerId: typeof values.partner === 'string' ? values.partner : null,
        name: typeof values.name === 'string' ? values.name : null,
      }).catch((e: Error & { statusCode?: number }) => {
        if (e.statusCode && e.statusCode < 500) throw new UsageError(e.message);
        throw e;
      });
      process.stdout.write(`created ${u.role} ${u.email}${u.partnerId ? ` (partner ${u.partnerId})` : ''}\n`);
    } finally {
      await database.close();
    }
    return 0;
  }
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await database.migrate();
    const users = await listUsers(database.db);
    if (values.json) process.stdout.write(`${JSON.stringify(users)}\n`);
    else
      for (const u of users)
        process.stdout.write(
          `${u.email}\t${u.role}${u.partnerId ? `\t${u.partnerId}` : '\t-'}${u.disabled ? '\tdisabled' : ''}\n`,
        );
  } finally {
    await database.close();
  }
  return 0;
}
