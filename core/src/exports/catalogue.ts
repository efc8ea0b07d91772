import type { ControlMeta } from '../controls/types.js';

/**
 * The control catalogue (core/src/controls/registry.ts, CONTROLS), for titles and remediation in the evidence pack.
 * Loaded by name at run time so exports still work (finding titles only) in a tree where the registry is absent.
 */
let cached: Promise<Map<string, ControlMeta>> | undefined;

export function controlsById(): Promise<Map<string, ControlMeta>> {
  cached ??= (async () => {
    const spec = '../controls/registry.js';
    try {
      const mod = (await import(spec)) as { CONTROLS?: ControlMeta[] };
      return new Map((mod.CONTROLS ?? []).map((c) => [c.id, c]));
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return new Map<string, ControlMeta>();
      throw e;
    }
  })();
  return cached;
}
