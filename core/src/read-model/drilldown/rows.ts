import type { Db } from '../../db/index.js';
import { queryPrepared } from '../../db/prepared.js';
import type * as schema from '../../db/schema.js';
import type { PayerView } from '../payer-view.js';
import { PAYER_VIEW_SCHEMA_VERSION } from '../payer-view.js';

/**
 * Every row a partner's drill-down is built from, in one prepared statement: the partner, its payers, its last
 * snapshots, the findings and payer views of the newest one, its live suppressions and its last 100 root-access
 * windows. One round trip planned once per connection, instead of seven planned on every request, is what lets a
 * drill-down nobody has opened yet answer in a few milliseconds. Timestamps travel as epoch milliseconds.
 */
const DRILLDOWN_SQL = `
  with h as (
    select id, run_id, extract(epoch from taken_at) * 1000 as taken_at, score, grade, counts, locked_out,
           critical_failures, monthly_spend, changes
    from snapshots where partner_id = $1 order by snapshots.taken_at desc limit $2::int
  ), latest as (select run_id from h order by taken_at desc limit 1)
  select
    (select jsonb_build_object('id', p.id, 'name', p.name, 'tags', p.tags,
                               'created_at', extract(epoch from p.created_at) * 1000)
       from partners p where p.id = $1) as partner,
    (select coalesce(jsonb_agg(jsonb_build_object(
              'account_id', y.account_id, 'role_arn', y.role_arn,
              'created_at', extract(epoch from y.created_at) * 1000,
              'last_access_ok_at', extract(epoch from y.last_access_ok_at) * 1000,
              'last_access_error', y.last_access_error) order by y.account_id), '[]'::jsonb)
       from payers y where y.partner_id = $1) as payers,
    (select coalesce(jsonb_agg(to_jsonb(h) order by h.taken_at desc), '[]'::jsonb) from h) as history,
    (select coalesce(jsonb_agg(to_jsonb(f) order by f.control_id, f.resource, f.id), '[]'::jsonb)
       from (select f.id, f.run_id, f.partner_id, f.payer_account_id, f.control_id, f.resource, f.status, f.severity,
                    f.title, f.message, f.evidence, f.suppression_id
             from findings f where f.run_id = (select run_id from latest) and f.partner_id = $1) f) as findings,
    (select coalesce(jsonb_agg(v.view order by v.payer_account_id), '[]'::jsonb)
       from payer_views v
      where v.run_id = (select run_id from latest) and v.partner_id = $1 and v.schema_version = $4::int) as views,
    (select coalesce(jsonb_agg(jsonb_build_object(
              'id', s.id, 'control_id', s.control_id, 'resource', s.resource, 'reason', s.reason,
              'approver', s.approver, 'expires_at', extract(epoch from s.expires_at) * 1000,
              'created_by', s.created_by, 'created_at', extract(epoch from s.created_at) * 1000,
              'approved_at', extract(epoch from s.approved_at) * 1000, 'second_approver', s.second_approver)
              order by s.created_at, s.id), '[]'::jsonb)
       from suppressions s
      where s.partner_id = $1 and s.revoked_at is null and s.expires_at > $3::timestamptz) as suppressions,
    (select coalesce(jsonb_agg(to_jsonb(w) order by w.requested_at desc, w.id desc), '[]'::jsonb)
       from (select id, partner_id, payer_account_id, reason, extract(epoch from starts_at) * 1000 as starts_at,
                    extract(epoch from ends_at) * 1000 as ends_at, state, requested_by, requested_by_side,
                    extract(epoch from requested_at) * 1000 as requested_at, decided_by,
                    extract(epoch from decided_at) * 1000 as decided_at, decision_note
             from root_access_windows where partner_id = $1
             order by root_access_windows.requested_at desc, id desc limit 100) w) as windows`;

type J = Record<string, unknown>;
const date = (ms: unknown) => new Date(Number(ms));
const dateOrNull = (ms: unknown) => (ms === null || ms === undefined ? null : date(ms));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

export type SnapshotRow = typeof schema.snapshots.$inferSelect;
export type FindingRow = typeof schema.findings.$inferSelect;
export type SuppressionRow = Pick<
  typeof schema.suppressions.$inferSelect,
  | 'id'
  | 'controlId'
  | 'resource'
  | 'reason'
  | 'approver'
  | 'expiresAt'
  | 'createdBy'
  | 'createdAt'
  | 'approvedAt'
  | 'secondApprover'
>;
export type WindowRow = typeof schema.rootAccessWindows.$inferSelect;

export interface DrilldownRows {
  partner: { id: string; name: string; tags: Record<string, string>; createdAt: Date };
  payers: {
    accountId: string;
    roleArn: string;
    createdAt: Date;
    lastAccessOkAt: Date | null;
    lastAccessError: string | null;
  }[];
  /** Newest first. */
  history: Omit<SnapshotRow, 'partnerId' | 'previousSnapshotId'>[];
  findings: FindingRow[];
  views: PayerView[];
  suppressions: SuppressionRow[];
  windows: WindowRow[];
}

/** The rows of a partner's drill-down, or null when there is no such partner. */
export async function readDrilldownRows(
  db: Db,
  partnerId: string,
  o: { historyLimit: number; now: Date },
): Promise<DrilldownRows | null> {
  const [r] = await queryPrepared<Record<string, unknown>>(db, 'drilldown_rows_v1', DRILLDOWN_SQL, [
    partnerId,
    o.historyLimit,
    o.now.toISOString(),
    PAYER_VIEW_SCHEMA_VERSION,
  ]);
  const j = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
  const p = j<J | null>(r?.partner);
  if (!r || !p) return null;
  return {
    partner: {
      id: String(p.id),
      name: String(p.name),
      tags: p.tags as Record<string, string>,
      createdAt: date(p.created_at),
    },
    payers: j<J[]>(r.payers).map((y) => ({
      accountId: String(y.account_id),
      roleArn: String(y.role_arn),
      createdAt: date(y.created_at),
      lastAccessOkAt: dateOrNull(y.last_access_ok_at),
      lastAccessError: str(y.last_access_error),
    })),
    history: j<J[]>(r.history).map((h) => ({
      id: String(h.id),
      runId: String(h.run_id),
      takenAt: date(h.taken_at),
      score: Number(h.score),
      grade: String(h.grade),
      counts: h.counts,
      lockedOut: Boolean(h.locked_out),
      criticalFailures: h.critical_failures as string[],
      monthlySpend: h.monthly_spend === null ? null : Number(h.monthly_spend),
      changes: h.changes,
    })),
    findings: j<J[]>(r.findings).map((f) => ({
      id: Number(f.id),
      runId: String(f.run_id),
      partnerId: String(f.partner_id),
      payerAccountId: String(f.payer_account_id),
      controlId: String(f.control_id),
      resource: String(f.resource),
      status: String(f.status),
      severity: String(f.severity),
      title: String(f.title),
      message: String(f.message),
      evidence: f.evidence,
      suppressionId: str(f.suppression_id),
    })),
    views: j<PayerView[]>(r.views),
    suppressions: j<J[]>(r.suppressions).map((s) => ({
      id: String(s.id),
      controlId: String(s.control_id),
      resource: String(s.resource),
      reason: String(s.reason),
      approver: String(s.approver),
      expiresAt: date(s.expires_at),
      createdBy: String(s.created_by),
      createdAt: date(s.created_at),
      approvedAt: dateOrNull(s.approved_at),
      secondApprover: str(s.second_approver),
    })),
    windows: j<J[]>(r.windows).map((w) => ({
      id: String(w.id),
      partnerId: String(w.partner_id),
      payerAccountId: String(w.payer_account_id),
      reason: String(w.reason),
      startsAt: date(w.starts_at),
      endsAt: date(w.ends_at),
      state: String(w.state),
      requestedBy: String(w.requested_by),
      requestedBySide: String(w.requested_by_side),
      requestedAt: date(w.requested_at),
      decidedBy: str(w.decided_by),
      decidedAt: dateOrNull(w.decided_at),
      decisionNote: str(w.decision_note),
    })),
  };
}
