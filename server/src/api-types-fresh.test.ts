import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const committed = join(root, 'web', 'src', 'api');
const fresh = mkdtempSync(join(tmpdir(), 'pg-gen-api-'));
afterAll(() => rmSync(fresh, { recursive: true, force: true }));

/** The web client's types are generated from the API's schemas; a schema change without `npm run gen:api` fails here. */
describe('generated web API types', () => {
  it('web/src/api/schema.gen.ts and openapi.gen.json are what `npm run gen:api` writes today', () => {
    execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'gen-api.ts'), '--out', fresh], {
      cwd: root,
      stdio: 'pipe',
    });
    for (const file of ['openapi.gen.json', 'schema.gen.ts']) {
      const want = readFileSync(join(fresh, file), 'utf8');
      const have = readFileSync(join(committed, file), 'utf8');
      expect(have === want, `web/src/api/${file} is stale: run \`npm run gen:api\` and commit the result`).toBe(true);
    }
  }, 180_000);
});
