/**
 * Verdicts of a run, one digest per payer, so a benchmark can prove that a faster collection decides exactly what the
 * implementation recorded in test/bench/baseline/ decided on the same estate. A verdict is what a user acts on: the
 * control, the resource, the status and the severity of every finding (messages carry relative ages, left out).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Db } from '@payerguard/core';
import { sql } from 'drizzle-orm';

export interface VerdictBaseline {
  seed: number;
  partners: number;
  /** payer account id -> digest of its findings' verdicts */
  payers: Record<string, string>;
}

export async function verdictDigests(db: Db, runId: string): Promise<Record<string, string>> {
  const r = await db.execute(sql`
    select payer_account_id as p, control_id as c, resource as r, status as s, severity as v
    from findings where run_id = ${runId}
    order by payer_account_id, control_id, resource, status, severity`);
  const rows = ((r as { rows?: unknown[] }).rows ?? []) as { p: string; c: string; r: string; s: string; v: string }[];
  const lines = new Map<string, string[]>();
  for (const x of rows) {
    let l = lines.get(x.p);
    if (!l) {
      l = [];
      lines.set(x.p, l);
    }
    l.push(`${x.c}\t${x.r}\t${x.s}\t${x.v}`);
  }
  const out: Record<string, string> = {};
  for (const [p, l] of lines) out[p] = createHash('sha256').update(l.join('\n')).digest('hex').slice(0, 20);
  return out;
}

/**
 * Compares a run's verdicts with the baseline for the same seed. The estate generator is prefix-stable (partner i is
 * the same in every estate of more than i partners), so a baseline of N partners checks the first N of a larger run.
 */
export function compareVerdicts(
  actual: Record<string, string>,
  baseline: VerdictBaseline,
): { compared: number; differing: string[]; missing: string[] } {
  const differing: string[] = [];
  const missing: string[] = [];
  let compared = 0;
  for (const [payer, digest] of Object.entries(baseline.payers)) {
    const got = actual[payer];
    if (got === undefined) {
      missing.push(payer);
      continue;
    }
    compared++;
    if (got !== digest) differing.push(payer);
  }
  return { compared, differing, missing };
}

export function readBaseline(file: string): VerdictBaseline | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as VerdictBaseline;
  } catch {
    return undefined;
  }
}

export function writeBaseline(file: string, b: VerdictBaseline): void {
  writeFileSync(file, `${JSON.stringify(b, null, 0)}\n`);
}
