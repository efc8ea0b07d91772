import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig, openDatabase, parseRegistry, REGISTRY_MAX_BYTES } from '@payerguard/core';
import { importRegistry } from '@payerguard/core/partners/import';
import { listPartners } from '@payerguard/core/partners/manage';
import { UsageError } from '../usage.js';

const USAGE = 'usage: payerguard partners import FILE [--prune] | payerguard partners list [--json]';

/**
 * `payerguard partners import FILE`: the registry (JSON Lines or a JSON array; see core/src/partners/registry-file.ts) into the
 * database in one transaction. Any bad row: every problem printed with its line number, nothing imported, exit 1.
 * `payerguard partners list`: partners and their payers (never the ExternalIds).
 */
export async function run(argv: string[]): Promise<number | undefined> {
  const [sub, ...rest] = argv;
  let parsed: ReturnType<
    typeof parseArgs<{ options: { prune: { type: 'boolean' }; json: { type: 'boolean' } }; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({
      args: rest,
      options: { prune: { type: 'boolean' }, json: { type: 'boolean' } },
      allowPositionals: true,
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (sub === 'import') {
    if (positionals.length !== 1) throw new UsageError(`partners import needs exactly one FILE\n${USAGE}`);
    const file = positionals[0]!;
    let text: string;
    try {
      // A file far beyond any real registry is refused before it is read into memory.
      const size = (await stat(file)).size;
      if (size > REGISTRY_MAX_BYTES) {
        process.stderr.write(
          `payerguard: ${file} is ${size} bytes, more than the ${REGISTRY_MAX_BYTES}-byte limit for a registry; nothing imported\n`,
        );
        return 1;
      }
      text = await readFile(file, 'utf8');
    } catch (e) {
      process.stderr.write(
        `payerguard: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`,
      );
      return 1;
    }
    const { entries, problems } = parseRegistry(text);
    if (problems.length) {
      for (const p of [...problems].sort((a, b) => a.line - b.line))
        process.stderr.write(`${file}:${p.line}: ${p.message}\n`);
      process.stderr.write(`payerguard: ${problems.length} problem(s) in ${file}; nothing imported\n`);
      return 1;
    }
    const config = loadConfig();
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      await database.migrate();
      const r = await importRegistry(database.db, entries, { prune: values.prune ?? false });
      process.stdout.write(
        `imported ${r.partners} partners (${r.partnersCreated} new) and ${r.payers} payers (${r.payersCreated} new)` +
          `${values.prune ? `, removed ${r.payersRemoved} payers not in the file` : ''}\n`,
      );
      return 0;
    } finally {
      await database.close();
    }
  }
  if (sub === 'list') {
    if (positionals.length) throw new UsageError(`partners list takes no arguments\n${USAGE}`);
    const config = loadConfig();
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      await database.migrate();
      const list = await listPartners(database.db);
      if (values.json) {
        process.stdout.write(`${JSON.stringify(list)}\n`);
        return 0;
      }
      if (!list.length) {
        process.stdout.write('no partners yet: payerguard partners import FILE\n');
        return 0;
      }
      const w = Math.max(10, ...list.map((p) => p.id.length));
      for (const p of list)
        process.stdout.write(`${p.id.padEnd(w)}  ${p.name}  [${p.payers.map((y) => y.accountId).join(', ')}]\n`);
      process.stdout.write(`${list.length} partners, ${list.reduce((n, p) => n + p.payers.length, 0)} payers\n`);
      return 0;
    } finally {
      await database.close();
    }
  }
  throw new UsageError(sub ? `unknown partners subcommand "${sub}"\n${USAGE}` : USAGE);
}
