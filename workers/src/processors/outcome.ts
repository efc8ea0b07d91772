import type { Db, PayerEvidence } from '@payerguard/core';
import type { Finding } from '@payerguard/core/controls/types';
import { writeEvidence } from '@payerguard/core/evidence/store';
import type { PayerView } from '@payerguard/core/read-model/payer-view';
import { storePayerViews } from '@payerguard/core/read-model/payer-views-store';
import { sql } from 'drizzle-orm';

export interface PayerOutcome {
  runId: string;
  partnerId: string;
  payerAccountId: string;
  status: 'collected' | 'failed';
  errorCode?: string;
  errorMessage?: string;
  callStats?: Record<string, number>;
  /** Stored even for a failed payer when there is any (a lockout's evidence is what raises the finding). */
  evidence?: PayerEvidence;
  /** Findings and the payer's view evaluated right after collection, and the fingerprint they were evaluated with. */
  evaluated?: { findings: Finding[]; fingerprint: string; view?: PayerView };
}

/**
 * Records a payer's outcome once: the run_payers row, its evidence, the run's counter and the payer's access
 * history, in one transaction. Returns false when an outcome was already recorded (a retried or duplicated job), so
 * nothing is counted twice.
 */
export async function recordOutcome(db: Db, o: PayerOutcome): Promise<boolean> {
  return (await recordOutcomes(db, [o]))[0]!;
}

/**
 * Records the outcomes of several payers (of one run or several) in one transaction: a statement per table for the
 * whole batch instead of one per payer, which is most of what a payer costs the database. All or nothing: a payer's
 * rows are either all committed with the batch or none are. Answers, per outcome in order, whether it was recorded
 * now (false: already recorded, or a second outcome for the same run and payer in the same batch).
 */
export async function recordOutcomes(db: Db, outcomes: readonly PayerOutcome[]): Promise<boolean[]> {
  if (!outcomes.length) return [];
  // One outcome per (run, payer) goes to the database; a duplicate in the batch is answered "already recorded".
  const first = new Map<string, number>();
  outcomes.forEach((o, i) => {
    const key = `${o.runId}\u0000${o.payerAccountId}`;
    if (!first.has(key)) first.set(key, i);
  });
  const unique = [...first.values()].map((i) => outcomes[i]!);
  const col = <T>(f: (o: PayerOutcome) => T, list: readonly PayerOutcome[] = unique) => sql.param(list.map(f));
  const recorded = await db.transaction(async (tx) => {
    const updated = await tx.execute(sql`
      update run_payers rp set status = u.status, error_code = u.error_code, error_message = u.error_message,
        call_stats = u.call_stats::jsonb, finished_at = now()
      from unnest(
        ${col((o) => o.runId)}::text[], ${col((o) => o.payerAccountId)}::text[], ${col((o) => o.status)}::text[],
        ${col((o) => o.errorCode ?? null)}::text[], ${col((o) => o.errorMessage ?? null)}::text[],
        ${col((o) => (o.callStats ? JSON.stringify(o.callStats) : null))}::text[]
      ) as u(run_id, payer_account_id, status, error_code, error_message, call_stats)
      where rp.run_id = u.run_id and rp.payer_account_id = u.payer_account_id and rp.status not in ('collected', 'failed')
      returning rp.run_id, rp.payer_account_id`);
    const rows = ((updated as { rows?: { run_id: string; payer_account_id: string }[] }).rows ?? []).map(
      (r) => `${r.run_id}\u0000${r.payer_account_id}`,
    );
    const now = new Set(rows);
    const fresh = unique.filter((o) => now.has(`${o.runId}\u0000${o.payerAccountId}`));
    if (!fresh.length) return now;
    // The documents are stored once however many runs collect them unchanged (content-addressed).
    const withEvidence = fresh.filter((o) => o.evidence);
    await writeEvidence(
      tx as unknown as Db,
      withEvidence.map((o) => ({
        runId: o.runId,
        payerAccountId: o.payerAccountId,
        partnerId: o.partnerId,
        evidence: o.evidence!,
        findings: o.evaluated?.findings ?? null,
        evaluatedWith: o.evaluated?.fingerprint ?? null,
      })),
    );
    // With the findings they were built beside; scoreRun builds the views of payers that arrive without one.
    await storePayerViews(
      tx as unknown as Db,
      withEvidence
        .filter((o) => o.evaluated?.view)
        .map((o) => ({ runId: o.runId, view: o.evaluated!.view!, builtWith: o.evaluated!.fingerprint })),
    );
    const counts = new Map<string, { collected: number; failed: number }>();
    for (const o of fresh) {
      const c = counts.get(o.runId) ?? { collected: 0, failed: 0 };
      c[o.status]++;
      counts.set(o.runId, c);
    }
    for (const [runId, c] of [...counts].sort(([a], [b]) => a.localeCompare(b)))
      await tx.execute(
        sql`update runs set collected = collected + ${c.collected}, failed = failed + ${c.failed} where id = ${runId}`,
      );
    // Access history, in account order so concurrent batches (several worker processes) lock payers alike.
    const byAccount = (a: PayerOutcome, b: PayerOutcome) => a.payerAccountId.localeCompare(b.payerAccountId);
    const ok = withEvidence.filter((o) => o.evidence!.access.status === 'ok').sort(byAccount);
    if (ok.length)
      await tx.execute(sql`
        update payers p set last_access_ok_at = u.at, last_access_error = null
        from unnest(${col((o) => o.payerAccountId, ok)}::text[], ${col((o) => o.evidence!.collectedAt, ok)}::timestamptz[])
          as u(account_id, at)
        where p.account_id = u.account_id`);
    const denied = withEvidence.filter((o) => o.evidence!.access.status !== 'ok').sort(byAccount);
    if (denied.length)
      await tx.execute(sql`
        update payers p set last_access_error = u.error
        from unnest(${col((o) => o.payerAccountId, denied)}::text[], ${col((o) => {
          const a = o.evidence!.access as { errorCode: string; message: string };
          return `${a.errorCode}: ${a.message}`.slice(0, 500);
        }, denied)}::text[]) as u(account_id, error)
        where p.account_id = u.account_id`);
    return now;
  });
  return outcomes.map(
    (o, i) =>
      first.get(`${o.runId}\u0000${o.payerAccountId}`) === i && recorded.has(`${o.runId}\u0000${o.payerAccountId}`),
  );
}

/**
 * Marks a payer running (and its run, on its first payer). 'recorded' when its outcome is already in; 'unknown' when
 * this database has no such run (the job belongs to another deployment sharing the Redis).
 */
export async function markRunning(
  db: Db,
  runId: string,
  payerAccountId: string,
): Promise<'running' | 'recorded' | 'unknown'> {
  return db.transaction(async (tx) => {
    const r = await tx.execute(sql`
      update run_payers set status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now())
      where run_id = ${runId} and payer_account_id = ${payerAccountId} and status in ('queued', 'running')
      returning payer_account_id`);
    if (((r as { rows?: unknown[] }).rows ?? []).length === 0) {
      const known = await tx.execute(
        sql`select 1 from run_payers where run_id = ${runId} and payer_account_id = ${payerAccountId}`,
      );
      return ((known as { rows?: unknown[] }).rows ?? []).length ? 'recorded' : 'unknown';
    }
    await tx.execute(
      sql`update runs set status = 'running', started_at = coalesce(started_at, now()) where id = ${runId} and status = 'queued'`,
    );
    return 'running';
  });
}

export async function runStatus(db: Db, runId: string): Promise<string | undefined> {
  const r = await db.execute(sql`select status from runs where id = ${runId}`);
  return ((r as { rows?: { status: string }[] }).rows ?? [])[0]?.status;
}

/** Puts a payer back to queued while BullMQ waits to retry it. */
export async function markRetrying(
  db: Db,
  runId: string,
  payerAccountId: string,
  errorCode: string,
  message: string,
): Promise<void> {
  await db.execute(sql`
    update run_payers set status = 'queued', error_code = ${errorCode}, error_message = ${message}
    where run_id = ${runId} and payer_account_id = ${payerAccountId} and status = 'running'`);
}
