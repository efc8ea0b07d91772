/**
 * `npm run bench [NAME...]`: runs the benchmark scripts in this folder (each a file that prints one JSON object per
 * line, each with at least {"bench": NAME, ...figures}) one after the other, each in its own process so memory figures
 * are its own. NAME is a file name without .ts (`api` runs api.ts, not api-during-collect.ts) or else any part of one.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBenches } from './_select.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const names = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

const chosen = only.length === 0 ? names : [...new Set(only.flatMap((o) => selectBenches(names, o)))].sort();
const unknown = only.filter((o) => selectBenches(names, o).length === 0);
if (unknown.length) {
  console.error(`npm run bench: no bench named ${unknown.join(', ')}; benches: ${names.join(', ')}`);
  process.exit(2);
}
const files = chosen.map((n) => `${n}.ts`);
let failed = 0;
for (const f of files) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(here, f)], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
  });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`${JSON.stringify({ bench: f.replace(/\.ts$/, ''), error: `exited ${r.status}` })}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
