import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The file that marks an installation: present in a checkout and in the image (the migrations ship with both). */
const MARKER = join('core', 'drizzle', 'meta', '_journal.json');

/**
 * The directory payerguard is installed in: the checkout when it runs from source (core/src/...), the image's /app
 * when it runs compiled (dist/...). Found by walking up from the calling module to the directory that holds the
 * migrations, because a source file and the bundle it is compiled into sit at different depths.
 */
export function installRoot(fromModuleUrl: string): string {
  const start = dirname(fileURLToPath(fromModuleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, MARKER))) return dir;
    if (dirname(dir) === dir) throw new Error(`payerguard: no ${MARKER} above ${start}; is the installation complete?`);
  }
}
