/**
 * Which benches `npm run bench NAME` runs: the bench of that name, else every bench it starts as a whole word
 * (`collect` runs collect-run and collect-scale, `api` the api-* benches), never one that merely contains it
 * (api-during-collect is no `collect` bench).
 */
export function selectBenches(all: readonly string[], name: string): string[] {
  if (all.includes(name)) return [name];
  return all.filter((b) => b.startsWith(`${name}-`));
}
