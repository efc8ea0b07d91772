/**
 * `npm run bench [NAME...]`: runs the benchmark scripts in this folder (each a file that prints one JSON object per
 * line, each with at least {"bench": NAME, ...figures}) one after the other, each in its own process so memory figures
 * are its own. NAME is a file name without .ts (`api` runs api.ts, not api-during-collect.ts) or else any part of one.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const all = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'));
// A name that is a bench's own ("api", "collect") selects that bench alone; any other selects every bench containing it.
const files = all
  .filter((f) => only.length === 0 || only.some((o) => (all.includes(`${o}.ts`) ? f === `${o}.ts` : f.includes(o))))
  .sort();
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
