import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/index.js';
import { evidence, findings, partners, payers, runPayers, runs, snapshots } from '../db/schema.js';
import type { PayerEvidence } from '../evidence/types.js';
import { loadSettings } from '../settings-store.js';
import { testDatabase } from '../testing/db.js';
import { breaks, compliantEvidence, FIXTURE_NOW } from '../testing/evidence.js';
import { evaluatePayer, evaluationFingerprint } from './evaluate.js';
import {
  findingsForPartner,
  latestSnapshots,
  partnerHistory,
  type RunSummary,
  type SnapshotChanges,
  scoreRun,
} from './score-run.js';
import { createSuppression } from './suppressions.js';

const T1 = FIXTURE_NOW;
const T2 = new Date(FIXTURE_NOW.getTime() + 86_400_000);
const TRICKY_EMAIL = 'o"brien\\{x},ü@partner.example';

async function addRun(db: Database['db'], id: string, createdAt: Date, rows: PayerEvidence[]) {
  await db.insert(runs).values({ id, status: 'running', trigger: 'manual', createdAt, total: rows.length });
  if (rows.length)
    await db.insert(evidence).values(
      rows.map((e) => ({
        runId: id,
        payerAccountId: e.payerAccountId,
        partnerId: e.partnerId,
        collectedAt: new Date(e.collectedAt),
        data: e,
      })),
    );
}

describe('scoreRun', () => {
  let database: Database;
  let s1: RunSummary;
  const good = (at = T1) =>
    compliantEvidence({ partnerId: 'good', payerAccountId: '200000000001', collectedAt: at, monthlySpend: 1000 });
  const bad = (at = T1) =>
    compliantEvidence({ partnerId: 'bad', payerAccountId: '200000000002', collectedAt: at, monthlySpend: 5000 });
  const locked = (at = T1) =>
    breaks.lockout(compliantEvidence({ partnerId: 'locked', payerAccountId: '200000000003', collectedAt: at }));
  const tricky = (at = T1) =>
    breaks.rootEmail(
      compliantEvidence({ partnerId: 'tricky', payerAccountId: '200000000004', collectedAt: at, monthlySpend: 300 }),
      TRICKY_EMAIL,
    );

  beforeAll(async () => {
    database = await testDatabase();
    const { db } = database;
    await db
      .insert(partners)
      .values(['good', 'bad', 'locked', 'tricky', 'gone'].map((id) => ({ id, name: `Partner ${id}` })));
    await db.insert(payers).values(
      ['200000000001', '200000000002', '200000000003', '200000000004', '200000000005'].map((accountId, i) => ({
        accountId,
        partnerId: ['good', 'bad', 'locked', 'tricky', 'gone'][i] as string,
        roleArn: `arn:aws:iam::${accountId}:role/PayerGuardCollector`,
        externalId: `ext-${i}`,
      })),
    );
    await addRun(db, 'run-1', T1, [good(), breaks.rootAccessKey(bad()), locked(), tricky()]);
    // A payer whose collection was refused outright: no evidence row, only its run_payers outcome. (A timeout here
    // would be "access unverified", not a lockout: see core/src/controls/access/lockout.ts.)
    await db.insert(runPayers).values({
      runId: 'run-1',
      payerAccountId: '200000000005',
      partnerId: 'gone',
      status: 'failed',
      errorCode: 'AccessDenied',
      errorMessage: 'AssumeRole: not authorized to perform sts:AssumeRole',
    });
    s1 = await scoreRun(db, 'run-1');
  });
  afterAll(async () => database?.close());

  it('summarises the run: grades, lockouts, spend at risk, top failing controls', async () => {
    expect(s1.partners).toBe(5);
    expect(s1.payers).toBe(5);
    expect(s1.lockouts.partners).toBe(2);
    expect(s1.lockouts.partnerIds.sort()).toEqual(['gone', 'locked']);
    expect(s1.byGrade.A).toBe(1);
    expect(s1.byGrade.F).toBe(2);
    expect(s1.byGrade.D).toBe(2); // root access key and foreign root email: critical, capped at D
    expect(s1.compliantPartners).toBe(1);
    expect(s1.compliantShare).toBeCloseTo(0.2);
    expect(s1.totalSpend).toBe(6300);
    expect(s1.spendAtRisk).toBe(5300);
    expect(s1.partnersWithoutSpend).toBe(2);
    expect(s1.topFailingControls[0]).toMatchObject({ controlId: 'ACCESS-COLLECTOR-ROLE', partners: 2 });
    const [row] = await database.db.select({ summary: runs.summary }).from(runs).where(eq(runs.id, 'run-1'));
    expect((row?.summary as RunSummary | undefined)?.spendAtRisk).toBe(5300);
  });

  it('writes one snapshot per partner, a lockout for the payer that left no evidence', async () => {
    const snaps = await database.db.select().from(snapshots).where(eq(snapshots.runId, 'run-1'));
    expect(snaps).toHaveLength(5);
    const gone = snaps.find((s) => s.partnerId === 'gone');
    expect(gone).toMatchObject({ lockedOut: true, grade: 'F', score: 0, monthlySpend: null });
    expect(gone?.criticalFailures).toContain('ACCESS-COLLECTOR-ROLE');
    const bad1 = snaps.find((s) => s.partnerId === 'bad');
    expect(bad1?.criticalFailures).toEqual(['ROOT-NO-ACCESS-KEYS']);
    expect(bad1?.monthlySpend).toBe(5000);
    expect((bad1?.changes as SnapshotChanges | undefined)?.baseline).toBe(true);
  });

  it('stores findings with evidence that survives quotes, backslashes and braces', async () => {
    const rows = await findingsForPartner(database.db, 'tricky', 'run-1');
    const f = rows.find((r) => r.controlId === 'OWN-ROOT-EMAIL-DOMAIN');
    expect(f?.status).toBe('fail');
    expect((f?.evidence as { rootEmail: string } | undefined)?.rootEmail).toBe(TRICKY_EMAIL);
    expect(f?.message).toContain(TRICKY_EMAIL);
    expect(f?.remediation).toMatch(/root email/i);
    expect(rows[0]?.status).toBe('fail'); // worst first
  });

  it('records access outcomes on the payer registry', async () => {
    const rows = await database.db.select().from(payers);
    const byId = new Map(rows.map((r) => [r.accountId, r]));
    expect(byId.get('200000000001')?.lastAccessOkAt?.toISOString()).toBe(T1.toISOString());
    expect(byId.get('200000000001')?.lastAccessError).toBeNull();
    expect(byId.get('200000000003')?.lastAccessOkAt).toBeNull();
    expect(byId.get('200000000003')?.lastAccessError).toMatch(/^AccessDenied: /);
    expect(byId.get('200000000005')?.lastAccessError).toMatch(/^AccessDenied: AssumeRole/);
  });

  it('is idempotent: re-scoring a run replaces, never duplicates', async () => {
    const before = await database.db.select().from(findings).where(eq(findings.runId, 'run-1'));
    const again = await scoreRun(database.db, 'run-1');
    const after = await database.db.select().from(findings).where(eq(findings.runId, 'run-1'));
    expect(after.length).toBe(before.length);
    expect(after.length).toBe(again.findings.total);
    expect(await database.db.select().from(snapshots).where(eq(snapshots.runId, 'run-1'))).toHaveLength(5);
    expect(again.byGrade).toEqual(s1.byGrade);
  });

  it('reports new and resolved findings against the previous snapshot, and the history', async () => {
    // Run 2: "good" stops its trail, "bad" deletes its root key, the locked payer is reachable again.
    await addRun(database.db, 'run-2', T2, [
      breaks.trail(good(T2), 'stopped'),
      bad(T2),
      compliantEvidence({ partnerId: 'locked', payerAccountId: '200000000003', collectedAt: T2 }),
    ]);
    const s2 = await scoreRun(database.db, 'run-2');
    expect(s2.partners).toBe(3);
    const latest = await latestSnapshots(database.db, { partnerIds: ['good', 'bad', 'locked'] });
    const byPartner = new Map(latest.map((s) => [s.partnerId, s]));
    const goodChanges = byPartner.get('good')?.changes as SnapshotChanges;
    expect(goodChanges.baseline).toBe(false);
    expect(goodChanges.new.map((c) => c.controlId)).toEqual(['GOV-ORG-TRAIL']);
    expect(goodChanges.resolved).toEqual([]);
    expect(goodChanges.scoreDelta).toBeLessThan(0);
    expect(byPartner.get('good')?.previousSnapshotId).toBe('snap_run-1_good');
    expect(byPartner.get('good')?.partnerName).toBe('Partner good');
    const badChanges = byPartner.get('bad')?.changes as SnapshotChanges;
    expect(badChanges.resolved).toEqual([
      expect.objectContaining({ controlId: 'ROOT-NO-ACCESS-KEYS', status: 'fail', nowStatus: 'pass' }),
    ]);
    expect(byPartner.get('bad')?.grade).toBe('A');
    const lockedChanges = byPartner.get('locked')?.changes as SnapshotChanges;
    expect(lockedChanges.resolved.map((c) => c.controlId).sort()).toEqual([
      'ACCESS-COLLECTOR-ROLE',
      'ACCESS-LAST-SUCCESS',
    ]);
    const history = await partnerHistory(database.db, 'bad');
    expect(history.map((h) => h.runId)).toEqual(['run-1', 'run-2']);
    expect(history.map((h) => h.grade)).toEqual(['D', 'A']);
    // Partners absent from run 2 keep their run-1 snapshot as latest.
    const all = await latestSnapshots(database.db);
    expect(all.find((s) => s.partnerId === 'tricky')?.runId).toBe('run-1');
    // Default run for findingsForPartner is the partner's latest snapshot's run.
    expect(new Set((await findingsForPartner(database.db, 'good')).map((f) => f.runId))).toEqual(new Set(['run-2']));
  });

  it('applies active suppressions on re-score and ignores expired ones', async () => {
    const { db } = database;
    const expired = await createSuppression(
      db,
      {
        partnerId: 'good',
        controlId: 'GOV-ORG-TRAIL',
        reason: 'old ticket',
        approver: 'cto@distributor.example',
        expiresAt: new Date(T2.getTime() + 1000),
        createdBy: 'admin',
      },
      { now: T1 },
    );
    const s2 = await scoreRun(db, 'run-2', { now: new Date(T2.getTime() + 60_000) });
    let f = (await findingsForPartner(db, 'good', 'run-2')).find((x) => x.controlId === 'GOV-ORG-TRAIL');
    expect(f?.status).toBe('fail');
    expect(f?.suppressionId).toBeNull();
    const before = (await latestSnapshots(db, { partnerIds: ['good'] }))[0]?.score ?? -1;
    const sup = await createSuppression(
      db,
      {
        partnerId: 'good',
        controlId: 'GOV-ORG-TRAIL',
        reason: 'trail moved to new account, CHG-42',
        approver: 'cto@distributor.example',
        expiresAt: new Date(T2.getTime() + 30 * 86_400_000),
        createdBy: 'admin',
      },
      { now: T1 },
    );
    await scoreRun(db, 'run-2', { now: new Date(T2.getTime() + 60_000) });
    f = (await findingsForPartner(db, 'good', 'run-2')).find((x) => x.controlId === 'GOV-ORG-TRAIL');
    expect(f?.status).toBe('suppressed');
    expect(f?.suppressionId).toBe(sup.id);
    expect(f?.suppressionId).not.toBe(expired.id);
    const snap = (await latestSnapshots(db, { partnerIds: ['good'] }))[0];
    expect(snap?.score).toBeGreaterThan(before);
    expect(snap?.score).toBe(100);
    expect((snap?.changes as SnapshotChanges | undefined)?.new).toEqual([]);
    expect(s2.partners).toBe(3);
  });

  it('scores malformed evidence as unknown instead of failing the run', async () => {
    const { db } = database;
    await db
      .insert(runs)
      .values({ id: 'run-bad', status: 'running', trigger: 'manual', createdAt: new Date(T2.getTime() + 1) });
    const weird = compliantEvidence({
      partnerId: 'good',
      payerAccountId: '200000000001',
      collectedAt: T2,
    }) as unknown as Record<string, unknown>;
    weird.costExplorer = { monthlySpend: { status: 'ok', api: 'ce:GetCostAndUsage', data: 'not a list' } };
    weird.iam = null;
    await db.insert(evidence).values([
      { runId: 'run-bad', payerAccountId: '200000000001', partnerId: 'good', collectedAt: T2, data: weird },
      { runId: 'run-bad', payerAccountId: '200000000002', partnerId: 'bad', collectedAt: T2, data: { garbage: true } },
    ]);
    const s = await scoreRun(db, 'run-bad');
    expect(s.partners).toBe(2);
    const good = await findingsForPartner(db, 'good', 'run-bad');
    expect(good.find((f) => f.controlId === 'ROOT-MFA')?.status).toBe('unknown');
    expect(good.find((f) => f.controlId === 'OWN-ROOT-EMAIL-DOMAIN')?.status).toBe('pass');
    const bad = await findingsForPartner(db, 'bad', 'run-bad');
    expect(bad.length).toBeGreaterThan(10);
    expect(bad.every((f) => f.status === 'unknown' || f.controlId === 'ACCESS-LAST-SUCCESS')).toBe(true);
    const [snap] = await db.select().from(snapshots).where(eq(snapshots.id, 'snap_run-bad_good'));
    expect(snap?.monthlySpend).toBeNull();
    // Critical controls unseen: capped, yet nothing is claimed to have failed.
    expect(snap?.score).toBeLessThanOrEqual(60);
    expect(snap?.criticalFailures).toEqual([]);
  });

  it('rejects an unknown run with a clear error', async () => {
    await expect(scoreRun(database.db, 'no-such-run')).rejects.toThrow(/run "no-such-run" does not exist/);
  });

  it('scores a run larger than one page of evidence without dropping a payer', async () => {
    const { db } = database;
    const n = 230; // more than two pages of evidence
    const ids = Array.from({ length: n }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);
    const accounts = ids.map((_, i) => String(300000000000 + i));
    await db.insert(partners).values(ids.map((id) => ({ id, name: id })));
    await db.insert(payers).values(
      ids.map((partnerId, i) => ({
        accountId: accounts[i]!,
        partnerId,
        roleArn: `arn:aws:iam::${accounts[i]}:role/PayerGuardCollector`,
        externalId: `ext-bulk-${i}`,
      })),
    );
    await addRun(
      db,
      'run-bulk',
      new Date(T2.getTime() + 86_400_000),
      ids.map((partnerId, i) => compliantEvidence({ partnerId, payerAccountId: accounts[i]!, collectedAt: T2 })),
    );
    const summary = await scoreRun(db, 'run-bulk');
    expect(summary.payers).toBe(n);
    const snaps = await db.select().from(snapshots).where(eq(snapshots.runId, 'run-bulk'));
    expect(new Set(snaps.map((x) => x.partnerId))).toEqual(new Set(ids));
    const stored = await db
      .select({ payer: findings.payerAccountId })
      .from(findings)
      .where(eq(findings.runId, 'run-bulk'));
    expect(new Set(stored.map((f) => f.payer)).size).toBe(n);
  });

  it('uses findings the payer job evaluated with the same settings, and re-evaluates stale ones', async () => {
    const { db } = database;
    const settings = await loadSettings(db);
    const mk = (partnerId: string, payerAccountId: string) =>
      compliantEvidence({ partnerId, payerAccountId, collectedAt: T2 });
    await db.insert(partners).values([
      { id: 'ahead', name: 'ahead' },
      { id: 'stale', name: 'stale' },
    ]);
    const evAhead = mk('ahead', '310000000001');
    const evStale = mk('stale', '310000000002');
    // Stand-in findings a fresh evaluation of this compliant evidence would never produce: proof of which was used.
    const marker = (ev: PayerEvidence) =>
      evaluatePayer(ev, { settings, now: T2 }).map((f) =>
        f.controlId === 'ROOT-MFA' ? { ...f, status: 'fail' as const, message: 'evaluated ahead' } : f,
      );
    await db.insert(runs).values({ id: 'run-ahead', status: 'running', trigger: 'manual', createdAt: T2, total: 2 });
    await db.insert(evidence).values([
      {
        runId: 'run-ahead',
        payerAccountId: evAhead.payerAccountId,
        partnerId: 'ahead',
        collectedAt: T2,
        data: evAhead,
        findings: marker(evAhead),
        evaluatedWith: evaluationFingerprint(settings),
      },
      {
        runId: 'run-ahead',
        payerAccountId: evStale.payerAccountId,
        partnerId: 'stale',
        collectedAt: T2,
        data: evStale,
        findings: marker(evStale),
        evaluatedWith: 'settings-that-changed-since',
      },
    ]);
    const summary = await scoreRun(db, 'run-ahead');
    expect(summary.evaluatedAhead).toBe(1);
    const rootMfa = async (partnerId: string) =>
      (await findingsForPartner(db, partnerId, 'run-ahead')).find((f) => f.controlId === 'ROOT-MFA');
    expect(await rootMfa('ahead')).toMatchObject({ status: 'fail', message: 'evaluated ahead' });
    expect((await rootMfa('stale'))?.status).toBe('pass');
  });
});
