/** Lists arrive bare or wrapped in an object ({ items } or a named array); screens always get an array. */
export function asList<T>(value: unknown, ...keys: string[]): T[] {
  if (Array.isArray(value)) return value as T[];
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of [...keys, 'items', 'data', 'results']) if (Array.isArray(o[k])) return o[k] as T[];
  }
  return [];
}
