import { CONTROLS } from '../controls/all-controls.js';
import type { ControlMeta } from '../controls/types.js';

/** The control catalogue (core/src/controls/all-controls.ts, CONTROLS) by id, for titles and remediation in the evidence pack. */
let cached: Promise<Map<string, ControlMeta>> | undefined;

export function controlsById(): Promise<Map<string, ControlMeta>> {
  cached ??= Promise.resolve(new Map(CONTROLS.map((c) => [c.id, c])));
  return cached;
}
