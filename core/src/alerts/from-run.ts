import { sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import type { SnapshotChanges } from '../engine/score-run.js';
import { lockoutPayload, newCriticalPayload } from './messages.js';
import type { Alert } from './raise.js';

/** The control whose failure is a lockout (see docs/scoring.md); its alert is "lockout", not "new critical". */
const LOCKOUT_CONTROL = 'ACCESS-COLLECTOR-ROLE';

/**
 * The alerts a scored run raises, from its snapshots: a lockout that is new for the partner (or the partner's first
 * snapshot is locked out), and critical findings new since the partner's previous snapshot. Keys carry the run and
 * the partner, so scoring the same run again raises nothing twice.
 */
export async function alertsForRun(db: Db, runId: string, now = new Date()): Promise<Alert[]> {
  const res = (await db.execute(sql`
    select s.partner_id, p.name as partner_name, s.score, s.grade, s.locked_out, s.changes
    from snapshots s left join partners p on p.id = s.partner_id
    where s.run_id = ${runId} order by s.partner_id`)) as unknown as {
    rows: {
      partner_id: string;
      partner_name: string | null;
      score: number;
      grade: string;
      locked_out: boolean;
      changes: SnapshotChanges;
    }[];
  };
  const alerts: Alert[] = [];
  for (const s of res.rows) {
    const changes = s.changes;
    const newLockout = changes.new.some((c) => c.controlId === LOCKOUT_CONTROL && c.status === 'fail');
    if (s.locked_out && (changes.baseline || newLockout)) {
      const locked = (await db.execute(sql`
        select payer_account_id, message from findings
        where run_id = ${runId} and partner_id = ${s.partner_id} and control_id = ${LOCKOUT_CONTROL} and status = 'fail'
        order by payer_account_id`)) as unknown as { rows: { payer_account_id: string; message: string }[] };
      alerts.push({
        event: 'lockout',
        dedupeKey: `lockout:${runId}:${s.partner_id}`,
        partnerId: s.partner_id,
        payload: lockoutPayload({
          partnerId: s.partner_id,
          partnerName: s.partner_name,
          runId,
          payers: locked.rows.map((r) => ({ payerAccountId: r.payer_account_id, message: r.message })),
          raisedAt: now,
        }),
      });
    }
    const critical = changes.new.filter(
      (c) => c.severity === 'critical' && c.status === 'fail' && c.controlId !== LOCKOUT_CONTROL,
    );
    if (critical.length)
      alerts.push({
        event: 'new-critical-finding',
        dedupeKey: `new-critical-finding:${runId}:${s.partner_id}`,
        partnerId: s.partner_id,
        payload: newCriticalPayload({
          partnerId: s.partner_id,
          partnerName: s.partner_name,
          runId,
          score: Number(s.score),
          grade: s.grade,
          findings: critical.map((c) => ({
            controlId: c.controlId,
            payerAccountId: c.payerAccountId,
            resource: c.resource,
            message: c.message,
          })),
          raisedAt: now,
        }),
      });
  }
  return alerts;
}
