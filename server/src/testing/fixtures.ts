import { type Db, type PayerEvidence, schema } from '@payerguard/core';
import { scoreRun } from '@payerguard/core/engine/score-run';
import { breaks, compliantEvidence } from '@payerguard/core/testing/evidence';
import { hashPassword } from '../auth/passwords.js';

/** Values a test can look for anywhere (responses, logs) to prove they never leak. */
export const SECRETS = {
  password: 'Correct-Horse-Battery-9',
  externalIdAlpha: 'ext-alpha-SECRET-7f3a9c',
  externalIdBeta: 'ext-beta-SECRET-19b2e4',
};

export const ALPHA = { id: 'alpha', name: 'Alpha Cloud Ltd', payer: '222222222222' };
export const BETA = { id: 'beta', name: 'Beta Reseller GmbH', payer: '777777777777' };
export const USERS = {
  admin: 'admin@test.local',
  analyst: 'analyst@test.local',
  viewer: 'viewer-alpha@test.local',
};

const T1 = new Date('2026-11-01T12:00:00Z');
const T2 = new Date('2026-11-08T12:00:00Z');

async function storeRun(db: Db, id: string, at: Date, evidence: PayerEvidence[]) {
  await db.insert(schema.runs).values({
    id,
    status: 'completed',
    trigger: 'manual',
    total: evidence.length,
    collected: evidence.length,
    createdAt: at,
    startedAt: at,
    finishedAt: at,
  });
  await db.insert(schema.runPayers).values(
    evidence.map((e) => ({
      runId: id,
      payerAccountId: e.payerAccountId,
      partnerId: e.partnerId,
      status: 'collected',
      attempts: 1,
      startedAt: at,
      finishedAt: at,
    })),
  );
  await db.insert(schema.evidence).values(
    evidence.map((e) => ({
      runId: id,
      payerAccountId: e.payerAccountId,
      partnerId: e.partnerId,
      collectedAt: at,
      data: e,
    })),
  );
  await scoreRun(db, id);
}

/**
 * Two partners, two scored runs (through the real engine): alpha loses its root email domain in run 2 (a critical
 * failure, score drops), beta is locked out in run 2 and has the large spend. One user per role, viewer on alpha.
 */
export async function seedFixtures(db: Db): Promise<void> {
  await db.insert(schema.partners).values([
    { id: ALPHA.id, name: ALPHA.name, tags: { region: 'emea' } },
    { id: BETA.id, name: BETA.name, tags: { region: 'dach' } },
  ]);
  await db.insert(schema.payers).values([
    {
      accountId: ALPHA.payer,
      partnerId: ALPHA.id,
      roleArn: `arn:aws:iam::${ALPHA.payer}:role/PayerGuardCollector`,
      externalId: SECRETS.externalIdAlpha,
    },
    {
      accountId: BETA.payer,
      partnerId: BETA.id,
      roleArn: `arn:aws:iam::${BETA.payer}:role/PayerGuardCollector`,
      externalId: SECRETS.externalIdBeta,
    },
  ]);
  const ev = (p: { id: string; payer: string }, at: Date, spend: number) =>
    compliantEvidence({ partnerId: p.id, payerAccountId: p.payer, collectedAt: at, monthlySpend: spend });
  await storeRun(db, 'run-1', T1, [ev(ALPHA, T1, 1200), ev(BETA, T1, 98000)]);
  await storeRun(db, 'run-2', T2, [breaks.rootEmail(ev(ALPHA, T2, 1300)), breaks.lockout(ev(BETA, T2, 99000))]);
  const passwordHash = await hashPassword(SECRETS.password);
  await db.insert(schema.users).values([
    { id: 'u-admin', email: USERS.admin, passwordHash, role: 'admin' },
    { id: 'u-analyst', email: USERS.analyst, passwordHash, role: 'analyst' },
    { id: 'u-viewer', email: USERS.viewer, passwordHash, role: 'partner_viewer', partnerId: ALPHA.id },
  ]);
}
