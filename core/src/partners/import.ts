import { sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { type RegistryEntry, type RegistryProblem, validateEntry } from './registry-file.js';

export class RegistryImportError extends Error {
  override name = 'RegistryImportError';
  constructor(public readonly problems: RegistryProblem[]) {
    super(
      `registry has ${problems.length} problem(s); nothing imported: ${problems
        .slice(0, 3)
        .map((p) => `line ${p.line}: ${p.message}`)
        .join('; ')}`,
    );
  }
}

export interface ImportOptions {
  /** Also remove payers (and partners left without payers) that are not in `entries`: the file is the whole truth. */
  prune?: boolean;
}

export interface ImportResult {
  partners: number;
  payers: number;
  partnersCreated: number;
  payersCreated: number;
  payersRemoved: number;
}

/**
 * Upserts partners and their payers from registry entries in ONE transaction: either every entry is in, or nothing
 * changed. Entries are validated again here (the API calls this too), with their position as the line number.
 */
export async function importRegistry(
  db: Db,
  entries: RegistryEntry[],
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const problems: RegistryProblem[] = [];
  const seen = new Map<string, number>();
  const names = new Map<string, string>();
  entries.forEach((e, i) => {
    const line = i + 1;
    for (const message of validateEntry(e).problems) problems.push({ line, message });
    const prev = seen.get(e.payerAccountId);
    if (prev !== undefined)
      problems.push({ line, message: `payerAccountId ${e.payerAccountId} already listed on line ${prev}` });
    seen.set(e.payerAccountId, line);
    const name = names.get(e.partnerId);
    if (name !== undefined && name !== e.partnerName?.trim())
      problems.push({ line, message: `partner ${e.partnerId} is named "${name}" on an earlier line` });
    names.set(e.partnerId, e.partnerName?.trim());
  });
  if (entries.length === 0 && !opts.prune) problems.push({ line: 1, message: 'the registry is empty' });
  if (problems.length) throw new RegistryImportError(problems);

  const partnerIds = [...names.keys()];
  const partnerNames = partnerIds.map((id) => names.get(id)!);
  const rows = entries.map((e) => ({
    ...e,
    partnerId: e.partnerId.trim(),
    payerAccountId: e.payerAccountId.trim(),
    roleArn: e.roleArn.trim(),
    externalId: e.externalId.trim(),
  }));

  return db
    .transaction(async (tx) => {
      // unnest keeps one statement per table whatever the estate's size (drizzle's values() caps at 65,535 parameters).
      const p = await tx.execute(sql`
      insert into partners (id, name)
      select * from unnest(${sql.param(partnerIds)}::text[], ${sql.param(partnerNames)}::text[])
      on conflict (id) do update set name = excluded.name, updated_at = now()
        where partners.name is distinct from excluded.name
      returning (xmax = 0) as created`);
      const y = await tx.execute(sql`
      insert into payers (account_id, partner_id, role_arn, external_id)
      select * from unnest(${sql.param(rows.map((r) => r.payerAccountId))}::text[], ${sql.param(rows.map((r) => r.partnerId))}::text[],
                           ${sql.param(rows.map((r) => r.roleArn))}::text[], ${sql.param(rows.map((r) => r.externalId))}::text[])
      on conflict (account_id) do update set partner_id = excluded.partner_id, role_arn = excluded.role_arn,
        external_id = excluded.external_id
      returning (xmax = 0) as created`);
      let payersRemoved = 0;
      if (opts.prune) {
        const r = await tx.execute(sql`
        delete from payers where not (account_id = any(${sql.param(rows.map((r) => r.payerAccountId))}::text[]))
        returning account_id`);
        payersRemoved = rowsOf(r).length;
        await tx.execute(
          sql`delete from partners where not exists (select 1 from payers where payers.partner_id = partners.id)`,
        );
      }
      return {
        partners: partnerIds.length,
        payers: rows.length,
        partnersCreated: rowsOf(p).filter((x) => x.created === true).length,
        payersCreated: rowsOf(y).filter((x) => x.created === true).length,
        payersRemoved,
      };
    })
    .catch((err: unknown) => {
      throw new Error(`registry import failed, nothing imported: ${dbCause(err)}`);
    });
}

/**
 * The database's own reason for a failed query. Drizzle's "Failed query" message lists the parameters, which here
 * include ExternalIds: it must never reach a log or a response.
 */
export function dbCause(err: unknown): string {
  const e = err as { cause?: unknown; message?: string };
  const cause = e?.cause as { message?: string } | undefined;
  const msg = cause?.message ?? e?.message ?? String(err);
  return msg.startsWith('Failed query') ? 'database error' : msg.split('\n')[0]!.slice(0, 300);
}

/** node-postgres and PGlite both answer `execute` with `{ rows }`. */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  return ((result as { rows?: Record<string, unknown>[] }).rows ?? []) as Record<string, unknown>[];
}
