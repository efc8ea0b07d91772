import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../db/index.js';
import {
  evidenceRuns,
  exportsTable,
  partners,
  payers,
  runFindings,
  runPayers,
  snapshots,
  suppressions,
  users,
} from '../db/schema.js';
import { dbCause } from './import.js';
import { validateEntry } from './registry-file.js';

/** A bad request the API turns into 400 / 404 / 409; the message names the field. */
export class PartnerError extends Error {
  override name = 'PartnerError';
  constructor(
    public readonly code: 'invalid' | 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

export interface PayerInput {
  accountId: string;
  roleArn: string;
  externalId: string;
}

export interface PartnerInput {
  id: string;
  name: string;
  tags?: Record<string, string>;
  payers?: PayerInput[];
}

/** A partner as the API shows it: payers without their ExternalId (secret-ish, never returned). */
export interface PartnerView {
  id: string;
  name: string;
  tags: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
  payers: { accountId: string; roleArn: string; lastAccessOkAt: Date | null; lastAccessError: string | null }[];
}

function checkTags(tags: unknown): Record<string, string> {
  if (tags === undefined) return {};
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags))
    throw new PartnerError('invalid', 'tags: expected an object of strings');
  for (const [k, v] of Object.entries(tags)) {
    if (typeof v !== 'string' || k.length > 128 || v.length > 256)
      throw new PartnerError('invalid', `tags.${k}: expected a string (key <= 128, value <= 256 chars)`);
  }
  return tags as Record<string, string>;
}

function checkPayers(partnerId: string, partnerName: string, list: PayerInput[]): PayerInput[] {
  const seen = new Set<string>();
  return list.map((p, i) => {
    const { entry, problems } = validateEntry({
      partnerId,
      partnerName,
      payerAccountId: p?.accountId,
      roleArn: p?.roleArn,
      externalId: p?.externalId,
    });
    if (!entry) throw new PartnerError('invalid', `payers[${i}]: ${problems.join('; ')}`);
    if (seen.has(entry.payerAccountId))
      throw new PartnerError('invalid', `payers[${i}]: account ${entry.payerAccountId} listed twice`);
    seen.add(entry.payerAccountId);
    return { accountId: entry.payerAccountId, roleArn: entry.roleArn, externalId: entry.externalId };
  });
}

export async function getPartner(db: Db, id: string): Promise<PartnerView | null> {
  const [p] = await db.select().from(partners).where(eq(partners.id, id));
  if (!p) return null;
  const ps = await db
    .select({
      accountId: payers.accountId,
      roleArn: payers.roleArn,
      lastAccessOkAt: payers.lastAccessOkAt,
      lastAccessError: payers.lastAccessError,
    })
    .from(payers)
    .where(eq(payers.partnerId, id))
    .orderBy(asc(payers.accountId));
  return { ...p, payers: ps };
}

export async function listPartners(db: Db): Promise<PartnerView[]> {
  const ps = await db.select().from(partners).orderBy(asc(partners.id));
  const ys = await db
    .select({
      partnerId: payers.partnerId,
      accountId: payers.accountId,
      roleArn: payers.roleArn,
      lastAccessOkAt: payers.lastAccessOkAt,
      lastAccessError: payers.lastAccessError,
    })
    .from(payers)
    .orderBy(asc(payers.accountId));
  const by = new Map<string, PartnerView['payers']>();
  for (const { partnerId, ...y } of ys) {
    const list = by.get(partnerId) ?? [];
    list.push(y);
    by.set(partnerId, list);
  }
  return ps.map((p) => ({ ...p, payers: by.get(p.id) ?? [] }));
}

/** Creates a partner with its payers (all or nothing). Conflict when the id or a payer account is already registered. */
export async function addPartner(db: Db, input: PartnerInput): Promise<PartnerView> {
  const id = typeof input?.id === 'string' ? input.id.trim() : '';
  const name = typeof input?.name === 'string' ? input.name.trim() : '';
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id))
    throw new PartnerError('invalid', 'id: required, lower-case letters, digits and "-" (max 63)');
  if (!name || name.length > 200) throw new PartnerError('invalid', 'name: required, at most 200 characters');
  const tags = checkTags(input.tags);
  const list = checkPayers(id, name, input.payers ?? []);
  await guard(
    db.transaction(async (tx) => {
      const [exists] = await tx.select({ id: partners.id }).from(partners).where(eq(partners.id, id));
      if (exists) throw new PartnerError('conflict', `partner ${id} already exists`);
      if (list.length) {
        const taken = await tx
          .select({ accountId: payers.accountId, partnerId: payers.partnerId })
          .from(payers)
          .where(
            inArray(
              payers.accountId,
              list.map((p) => p.accountId),
            ),
          );
        if (taken[0])
          throw new PartnerError(
            'conflict',
            `payer account ${taken[0].accountId} already belongs to partner ${taken[0].partnerId}`,
          );
      }
      await tx.insert(partners).values({ id, name, tags });
      if (list.length) await tx.insert(payers).values(list.map((p) => ({ ...p, partnerId: id })));
    }),
  );
  return (await getPartner(db, id))!;
}

/** Lets PartnerErrors through; any database error leaves as its cause only (the query's parameters hold ExternalIds). */
function guard<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    if (err instanceof PartnerError) throw err;
    throw new Error(`partner update failed: ${dbCause(err)}`);
  });
}

/**
 * Changes a partner's name and tags, and when `payers` is given replaces its payer list (payers dropped are removed,
 * new ones added, existing ones get the new role ARN / ExternalId).
 */
export async function updatePartner(
  db: Db,
  id: string,
  patch: { name?: string; tags?: Record<string, string>; payers?: PayerInput[] },
): Promise<PartnerView> {
  const current = await getPartner(db, id);
  if (!current) throw new PartnerError('not_found', `partner ${id} not found`);
  const name = patch.name === undefined ? current.name : typeof patch.name === 'string' ? patch.name.trim() : '';
  if (!name || name.length > 200) throw new PartnerError('invalid', 'name: required, at most 200 characters');
  const tags = patch.tags === undefined ? current.tags : checkTags(patch.tags);
  const list = patch.payers === undefined ? undefined : checkPayers(id, name, patch.payers);
  await guard(
    db.transaction(async (tx) => {
      await tx.update(partners).set({ name, tags, updatedAt: sql`now()` }).where(eq(partners.id, id));
      if (!list) return;
      if (list.length) {
        const taken = await tx
          .select({ accountId: payers.accountId, partnerId: payers.partnerId })
          .from(payers)
          .where(
            inArray(
              payers.accountId,
              list.map((p) => p.accountId),
            ),
          );
        const other = taken.find((t) => t.partnerId !== id);
        if (other)
          throw new PartnerError(
            'conflict',
            `payer account ${other.accountId} already belongs to partner ${other.partnerId}`,
          );
      }
      const keep = list.map((p) => p.accountId);
      await tx
        .delete(payers)
        .where(
          keep.length ? and(eq(payers.partnerId, id), notInArray(payers.accountId, keep)) : eq(payers.partnerId, id),
        );
      // Upsert rather than replace: a payer that stays keeps its access history (lastAccessOkAt).
      if (list.length)
        await tx
          .insert(payers)
          .values(list.map((p) => ({ ...p, partnerId: id })))
          .onConflictDoUpdate({
            target: payers.accountId,
            set: { roleArn: sql`excluded.role_arn`, externalId: sql`excluded.external_id` },
          });
    }),
  );
  return (await getPartner(db, id))!;
}

/**
 * Removes a partner with everything recorded about it: payers, evidence, findings, snapshots, run outcomes,
 * suppressions, its partner-scoped exports and its partner-viewer logins. All or nothing. Data is keyed by the
 * partner id, so anything left behind would be inherited by a later partner given the same id; the audit log
 * (who removed it, when) is kept. Returns how many rows of each kind went.
 */
export async function removePartner(db: Db, id: string): Promise<Record<string, number>> {
  return guard(
    db.transaction(async (tx) => {
      const [p] = await tx.select({ id: partners.id }).from(partners).where(eq(partners.id, id));
      if (!p) throw new PartnerError('not_found', `partner ${id} not found`);
      const removed: Record<string, number> = {};
      const del = async (name: string, table: PgTable & { partnerId: AnyPgColumn }) => {
        const r = await tx.delete(table).where(eq(table.partnerId, id)).returning({ x: sql`1` });
        removed[name] = r.length;
      };
      // findings and evidence are views over these (migration 0008); the shared contents they point at stay.
      await del('findings', runFindings);
      await del('snapshots', snapshots);
      const docs = await tx
        .delete(evidenceRuns)
        .where(eq(evidenceRuns.partnerId, id))
        .returning({ hash: evidenceRuns.docHash });
      removed.evidence = docs.length;
      // Documents only this partner's runs pointed at go too (content-addressed: another payer may share one).
      const hashes = [...new Set(docs.map((d) => d.hash).filter((h): h is string => !!h))];
      if (hashes.length)
        await tx.execute(sql`
          delete from evidence_docs d where d.hash = any(${sql.param(hashes)}::text[])
            and not exists (select 1 from evidence_runs e where e.doc_hash = d.hash)`);
      await del('runPayers', runPayers);
      await del('suppressions', suppressions);
      await del('exports', exportsTable);
      // Sessions and API tokens of these users go with them (foreign keys cascade).
      const viewers = await tx
        .delete(users)
        .where(and(eq(users.partnerId, id), eq(users.role, 'partner_viewer')))
        .returning({ x: users.id });
      removed.partnerViewers = viewers.length;
      await del('payers', payers);
      await tx.delete(partners).where(eq(partners.id, id));
      return removed;
    }),
  );
}
