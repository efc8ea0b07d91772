import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, openDatabase } from '@payerguard/core';
import {
  countSnapshots,
  ExportInputError,
  parseAsOf,
  parseFormat,
  parseScope,
  writeExport,
} from '@payerguard/core/exports/index';
import { UsageError } from '../usage.js';

const USAGE =
  'usage: payerguard export --format csv|json|xlsx|pdf [--partner ID] [--grade A ...] [--failing-control ID] [--as-of ISO-DATE] --out FILE|-';

/**
 * `payerguard export`: one export straight from the database (DATABASE_URL, or the embedded PGlite in DATA_DIR).
 * The file is written next to --out under a temporary name and renamed when complete, so a failed export never leaves
 * a truncated file or replaces a good one.
 */
export async function run(argv: string[]): Promise<number | undefined> {
  let values: {
    format?: string;
    partner?: string;
    grade?: string[];
    'failing-control'?: string;
    'as-of'?: string;
    out?: string;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        format: { type: 'string' },
        partner: { type: 'string' },
        grade: { type: 'string', multiple: true },
        'failing-control': { type: 'string' },
        'as-of': { type: 'string' },
        out: { type: 'string' },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  if (!values.format) throw new UsageError(`--format is required\n${USAGE}`);
  if (!values.out) throw new UsageError(`--out is required (a file, or - for stdout)\n${USAGE}`);
  let format: ReturnType<typeof parseFormat>;
  let scope: ReturnType<typeof parseScope>;
  let asOf: Date | undefined;
  try {
    format = parseFormat(values.format);
    scope = parseScope({
      ...(values.partner !== undefined ? { partnerId: values.partner } : {}),
      ...(values.grade ? { grades: values.grade.map((g) => g.toUpperCase()) } : {}),
      ...(values['failing-control'] !== undefined ? { failingControl: values['failing-control'] } : {}),
    });
    asOf = parseAsOf(values['as-of']);
  } catch (e) {
    if (e instanceof ExportInputError)
      throw new UsageError(e.message.replace(/^scope\.partnerId/, '--partner').replace(/^asOf/, '--as-of'));
    throw e;
  }

  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await database.migrate();
    if ((await countSnapshots(database.db)) === 0) {
      process.stderr.write('payerguard: there are no snapshots yet: run payerguard collect first\n');
      return 1;
    }
    const req = { format, scope, ...(asOf ? { asOf } : {}) };
    if (values.out === '-') {
      // A reader that stops early (| head) is not an error of ours.
      const stdout = process.stdout.on('error', () => {});
      const r = await writeExport(database.db, req, stdout).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_PREMATURE_CLOSE') return undefined;
        throw e;
      });
      if (!r) return 0;
      process.stderr.write(`exported ${r.partners} partner(s), ${r.rows} row(s), ${r.bytes} bytes\n`);
      return r.partners === 0 ? 3 : 0;
    }
    const out = values.out;
    const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.partial`);
    try {
      const r = await writeExport(database.db, req, createWriteStream(tmp));
      await rename(tmp, out);
      process.stderr.write(`exported ${r.partners} partner(s), ${r.rows} row(s), ${r.bytes} bytes to ${out}\n`);
      if (r.partners === 0) {
        process.stderr.write(
          'payerguard: no partner matched the scope (check --partner, --grade, --failing-control, --as-of)\n',
        );
        return 3;
      }
      return 0;
    } catch (e) {
      await rm(tmp, { force: true });
      if (e instanceof ExportInputError) throw new UsageError(e.message);
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR')
        throw new Error(`--out ${out}: cannot write there (${code})`);
      throw e;
    }
  } finally {
    await database.close();
  }
}
