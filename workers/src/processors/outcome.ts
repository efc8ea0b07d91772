import type { Db, PayerEvidence } from '@payerguard/core';
import type { Finding } from '@payerguard/core/controls/types';
import { writeEvidence } from '@payerguard/core/evidence/store';
import type { PayerView } from '@payerguard/core/read-model/payer-view';
import { storePayerView } from '@payerguard/core/read-model/payer-views-store';
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
  return db.transaction(async (tx) => {
    const updated = await tx.execute(sql`
      update run_payers set status = ${o.status}, error_code = ${o.errorCode ?? null}, error_message = ${o.errorMessage ?? null},
        call_stats = ${o.callStats ? JSON.stringify(o.callStats) : null}::jsonb, finished_at = now()
      where run_id = ${o.runId} and payer_account_id = ${o.payerAccountId} and status not in ('collected', 'failed')
      returning payer_account_id`);
    if (((updated as { rows?: unknown[] }).rows ?? []).length === 0) return false;
    // The document is stored once however many runs collect it unchanged (content-addressed).
    if (o.evidence)
      await writeEvidence(tx as unknown as Db, [
        {
          runId: o.runId,
          payerAccountId: o.payerAccountId,
          partnerId: o.partnerId,
          evidence: o.evidence,
          findings: o.evaluated?.findings ?? null,
          evaluatedWith: o.evaluated?.fingerprint ?? null,
        },
      ]);
    // With the findings it was built beside; scoreRun builds the views of payers that arrive without one.
    if (o.evidence && o.evaluated?.view)
      await storePayerView(tx as unknown as Db, o.runId, o.evaluated.view, o.evaluated.fingerprint);
    if (o.status === 'collected')
      await tx.execute(sql`update runs set collected = collected + 1 where id = ${o.runId}`);
    else await tx.execute(sql`update runs set failed = failed + 1 where id = ${o.runId}`);
    const access = o.evidence?.access;
    if (access?.status === 'ok')
      await tx.execute(
        sql`update payers set last_access_ok_at = ${o.evidence!.collectedAt}, last_access_error = null where account_id = ${o.payerAccountId}`,
      );
    else if (access)
      await tx.execute(
        sql`update payers set last_access_error = ${`${access.errorCode}: ${access.message}`.slice(0, 500)} where account_id = ${o.payerAccountId}`,
      );
    return true;
  });
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
