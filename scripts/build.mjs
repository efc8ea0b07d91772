#!/usr/bin/env node
import { readFileSync, rmSync } from 'node:fs';
// Compiles the server side (core, sim, workers, server, cli) into dist/: one ESM bundle per entry point, so the
// image runs `node dist/payerguard.mjs` with production dependencies only (no tsx, no TypeScript, no sources).
// Our workspaces are bundled in; every npm package stays an import resolved from node_modules at run time, and the
// build fails if one of those is not a production dependency (the image installs nothing else).
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--outdir');
const outdir = resolve(outArg > 0 ? process.argv[outArg + 1] : join(root, 'dist'));

/** The workspaces the image runs; test/ and web/ (built by vite) are not among them. */
const RUNTIME_WORKSPACES = ['core', 'sim', 'workers', 'server', 'cli'];
const pkg = (dir) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
const production = new Set(
  ['.', ...RUNTIME_WORKSPACES]
    .flatMap((d) => Object.keys(pkg(d).dependencies ?? {}))
    .filter((n) => !n.startsWith('@payerguard/')),
);
const builtins = new Set(builtinModules);

const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/** Bare specifiers other than our own workspaces are left to Node. */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@payerguard/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  outExtension: { '.js': '.mjs' },
  plugins: [externalPackages],
};

rmSync(outdir, { recursive: true, force: true });
const results = await Promise.all([
  // The CLI and every command it loads lazily (chunks beside it).
  build({
    ...common,
    entryPoints: { payerguard: join(root, 'cli/src/main.ts') },
    outdir,
    splitting: true,
    // Chunks beside the entry: import.meta.url of any chunk then finds thread-entry.mjs next to it.
    chunkNames: '[name]-[hash]',
  }),
  // The evaluation thread: workers/src/evaluation/pool.ts starts `thread-entry.mjs` beside the module that holds it.
  build({
    ...common,
    entryPoints: { 'thread-entry': join(root, 'workers/src/evaluation/thread.ts') },
    outdir,
  }),
]);

const unknown = new Set();
for (const r of results)
  for (const file of Object.values(r.metafile.outputs))
    for (const imp of file.imports)
      if (imp.external) {
        const name = packageName(imp.path.replace(/^node:/, ''));
        if (!builtins.has(name) && !production.has(name)) unknown.add(imp.path);
      }
if (unknown.size) {
  console.error(
    `build: the compiled code imports packages that are not production dependencies of ${RUNTIME_WORKSPACES.join(', ')} or the root: ${[...unknown].join(', ')}`,
  );
  process.exit(1);
}
console.log(`build: ${outdir}`);
