import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, schema } from '../index.js';
import { testDatabase } from '../testing/db.js';
import { importRegistry, RegistryImportError } from './import.js';
import { addPartner, getPartner, listPartners, PartnerError, removePartner, updatePartner } from './manage.js';
import type { RegistryEntry } from './registry-file.js';

const entry = (i: number, partner = `p-${i}`): RegistryEntry => {
  const acct = String(200000000000 + i);
  return {
    partnerId: partner,
    partnerName: `Partner ${partner}`,
    payerAccountId: acct,
    roleArn: `arn:aws:iam::${acct}:role/PayerGuardCollector`,
    externalId: `ext-${i}-secret`,
  };
};

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(async () => {
  await database?.close();
});

const counts = async () => ({
  partners: (await database.db.select().from(schema.partners)).length,
  payers: (await database.db.select().from(schema.payers)).length,
});

describe('importRegistry', () => {
  it('imports partners and payers, a partner with several payers once', async () => {
    const entries = [entry(1), entry(2), entry(3, 'p-2'), ...Array.from({ length: 300 }, (_, i) => entry(100 + i))];
    const r = await importRegistry(database.db, entries);
    expect(r).toMatchObject({ partners: 302, payers: 303, partnersCreated: 302, payersCreated: 303 });
    expect(await counts()).toEqual({ partners: 302, payers: 303 });
    const p2 = await getPartner(database.db, 'p-2');
    expect(p2?.payers.map((p) => p.accountId)).toEqual(['200000000002', '200000000003']);
    // The view never carries the ExternalId.
    expect(JSON.stringify(p2)).not.toContain('secret');
  });

  it('upserts on re-import: a new role ARN and name replace the old, nothing is duplicated', async () => {
    const changed = { ...entry(1), partnerName: 'Renamed', externalId: 'new-ext' };
    const r = await importRegistry(database.db, [changed]);
    expect(r).toMatchObject({ partnersCreated: 0, payersCreated: 0 });
    const [row] = await database.db
      .select()
      .from(schema.payers)
      .where((await import('drizzle-orm')).eq(schema.payers.accountId, '200000000001'));
    expect(row?.externalId).toBe('new-ext');
    expect((await getPartner(database.db, 'p-1'))?.name).toBe('Renamed');
    expect(await counts()).toEqual({ partners: 302, payers: 303 });
  });

  it('imports nothing when any row is bad, and names the row', async () => {
    const before = await counts();
    const bad = [
      entry(900),
      { ...entry(901), payerAccountId: '12' },
      { ...entry(902), roleArn: 'arn:aws:iam::999999999999:role/X' },
      entry(900),
    ];
    const err = await importRegistry(database.db, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryImportError);
    const lines = (err as RegistryImportError).problems.map((p) => p.line);
    expect(lines).toEqual(expect.arrayContaining([2, 3, 4]));
    expect(lines).not.toContain(1);
    expect(await counts()).toEqual(before);
    expect(await getPartner(database.db, 'p-900')).toBeNull();
  });

  it('rolls back the partners already written when the payers statement fails', async () => {
    const before = await counts();
    // A trigger makes the database refuse one payer: the partners statement before it must be undone too.
    await database.db.$client.query(`create or replace function pg_test_refuse() returns trigger language plpgsql as $$
      begin if new.account_id = '200000000951' then raise exception 'refused by test'; end if; return new; end $$`);
    await database.db.$client.query(
      'create trigger pg_test_refuse before insert on payers for each row execute function pg_test_refuse()',
    );
    try {
      const err = (await importRegistry(database.db, [entry(950), entry(951)]).catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(/nothing imported: refused by test/);
      // The failed query's parameters hold ExternalIds; the error must not.
      expect(err.message).not.toContain('secret');
    } finally {
      await database.db.$client.query('drop trigger pg_test_refuse on payers');
    }
    expect(await counts()).toEqual(before);
    expect(await getPartner(database.db, 'p-950')).toBeNull();
  });

  it('prunes payers missing from the file only when asked', async () => {
    const keep = [entry(1), entry(2), entry(3, 'p-2')];
    const r = await importRegistry(database.db, keep, { prune: true });
    expect(r.payersRemoved).toBe(300);
    expect(await counts()).toEqual({ partners: 2, payers: 3 });
  });
});

describe('addPartner / updatePartner / removePartner', () => {
  it('adds a partner with payers, refusing duplicates and payers owned by another partner', async () => {
    const acct = '300000000001';
    const view = await addPartner(database.db, {
      id: 'acme',
      name: 'Acme',
      tags: { region: 'emea' },
      payers: [{ accountId: acct, roleArn: `arn:aws:iam::${acct}:role/PayerGuardCollector`, externalId: 'acme-ext' }],
    });
    expect(view).toMatchObject({ id: 'acme', name: 'Acme', tags: { region: 'emea' }, payers: [{ accountId: acct }] });
    await expect(addPartner(database.db, { id: 'acme', name: 'Again' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(
      addPartner(database.db, {
        id: 'other',
        name: 'Other',
        payers: [{ accountId: '200000000001', roleArn: 'arn:aws:iam::200000000001:role/X', externalId: 'xx' }],
      }),
    ).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('p-1') });
    expect(await getPartner(database.db, 'other')).toBeNull();
    await expect(addPartner(database.db, { id: 'Bad Id', name: 'x' })).rejects.toBeInstanceOf(PartnerError);
    await expect(
      addPartner(database.db, {
        id: 'mismatch',
        name: 'M',
        payers: [{ accountId: acct, roleArn: 'arn:aws:iam::999999999999:role/X', externalId: 'xx' }],
      }),
    ).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('payers[0]') });
  });

  it('updates name, tags and the payer list, keeping a remaining payer’s access history', async () => {
    const acct = '300000000001';
    await database.db.update(schema.payers).set({ lastAccessOkAt: new Date('2026-11-01T00:00:00Z') });
    const added = '300000000002';
    const v = await updatePartner(database.db, 'acme', {
      name: 'Acme Ltd',
      payers: [
        { accountId: acct, roleArn: `arn:aws:iam::${acct}:role/PayerGuardCollector`, externalId: 'rotated' },
        { accountId: added, roleArn: `arn:aws:iam::${added}:role/PayerGuardCollector`, externalId: 'new' },
      ],
    });
    expect(v.name).toBe('Acme Ltd');
    expect(v.tags).toEqual({ region: 'emea' });
    expect(v.payers.map((p) => p.accountId)).toEqual([acct, added]);
    expect(v.payers[0]?.lastAccessOkAt?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    const v2 = await updatePartner(database.db, 'acme', {
      payers: [{ accountId: added, roleArn: `arn:aws:iam::${added}:role/PayerGuardCollector`, externalId: 'new' }],
    });
    expect(v2.payers.map((p) => p.accountId)).toEqual([added]);
    await expect(updatePartner(database.db, 'nobody', { name: 'x' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('removes a partner and its payers', async () => {
    await removePartner(database.db, 'acme');
    expect(await getPartner(database.db, 'acme')).toBeNull();
    expect((await listPartners(database.db)).flatMap((p) => p.payers).some((p) => p.accountId === '300000000002')).toBe(
      false,
    );
    await expect(removePartner(database.db, 'acme')).rejects.toMatchObject({ code: 'not_found' });
  });
});
