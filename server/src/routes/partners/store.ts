import { type Db, schema } from '@payerguard/core';
import { and, eq } from 'drizzle-orm';
import { conflict, notFound } from '../../errors.js';

/* Payer-level writes core/src/partners/manage.ts does not offer (it replaces whole payer lists). */

export async function addPayer(
  db: Db,
  partnerId: string,
  p: { accountId: string; roleArn: string; externalId: string },
): Promise<void> {
  const [owner] = await db
    .select({ partnerId: schema.payers.partnerId })
    .from(schema.payers)
    .where(eq(schema.payers.accountId, p.accountId));
  if (owner)
    throw conflict(
      owner.partnerId === partnerId
        ? `payer ${p.accountId} is already registered`
        : `payer ${p.accountId} belongs to another partner`,
    );
  await db
    .insert(schema.payers)
    .values({ accountId: p.accountId, partnerId, roleArn: p.roleArn, externalId: p.externalId });
}

export async function removePayer(db: Db, partnerId: string, accountId: string): Promise<void> {
  const r = await db
    .delete(schema.payers)
    .where(and(eq(schema.payers.partnerId, partnerId), eq(schema.payers.accountId, accountId)))
    .returning({ a: schema.payers.accountId });
  if (r.length === 0) throw notFound(`payer ${accountId} not found for partner ${partnerId}`);
}
