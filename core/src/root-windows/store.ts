import { randomBytes } from 'node:crypto';
import { and, desc, eq, gte, inArray, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { payers, rootAccessWindows } from '../db/schema.js';
import { API, type ApprovedRootWindow, type Call } from '../evidence/types.js';
import {
  displayState,
  otherSide,
  periodProblems,
  REASON_MAX,
  type WindowDisplayState,
  type WindowSide,
} from './rules.js';

/** One root-access window as the API, the drill-down and the exports show it. */
export interface RootAccessWindow {
  id: string;
  partnerId: string;
  payerAccountId: string;
  reason: string;
  startsAt: string;
  endsAt: string;
  state: WindowDisplayState;
  requestedBy: string;
  requestedBySide: WindowSide;
  requestedAt: string;
  /** The side that must decide it. */
  decidedBySide: WindowSide;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
}

type Row = typeof rootAccessWindows.$inferSelect;

export function toView(r: Row, now: Date): RootAccessWindow {
  const side = r.requestedBySide as WindowSide;
  return {
    id: r.id,
    partnerId: r.partnerId,
    payerAccountId: r.payerAccountId,
    reason: r.reason,
    startsAt: r.startsAt.toISOString(),
    endsAt: r.endsAt.toISOString(),
    state: displayState(r, now),
    requestedBy: r.requestedBy,
    requestedBySide: side,
    requestedAt: r.requestedAt.toISOString(),
    decidedBySide: otherSide(side),
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    decisionNote: r.decisionNote,
  };
}

/** Why a request or decision was refused; `kind` maps to the HTTP status. */
export class RootWindowError extends Error {
  constructor(
    public readonly kind: 'invalid' | 'not_found' | 'forbidden' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'RootWindowError';
  }
}

export interface WindowRequest {
  partnerId: string;
  payerAccountId: string;
  reason: string;
  startsAt: Date;
  endsAt: Date;
  requestedBy: string;
  side: WindowSide;
}

export async function requestWindow(db: Db, input: WindowRequest, now = new Date()): Promise<RootAccessWindow> {
  const reason = input.reason.trim();
  const problems = periodProblems(input.startsAt, input.endsAt, now);
  if (!reason) problems.unshift('reason: say why root is needed (e.g. the change ticket)');
  if (reason.length > REASON_MAX) problems.unshift(`reason: at most ${REASON_MAX} characters`);
  if (problems.length) throw new RootWindowError('invalid', problems.join('; '));
  const [payer] = await db
    .select({ partnerId: payers.partnerId })
    .from(payers)
    .where(eq(payers.accountId, input.payerAccountId));
  if (payer?.partnerId !== input.partnerId)
    throw new RootWindowError(
      'invalid',
      `payerAccountId: ${input.payerAccountId} is not a payer account of partner ${input.partnerId}`,
    );
  const [row] = await db
    .insert(rootAccessWindows)
    .values({
      id: `rw_${randomBytes(9).toString('base64url')}`,
      partnerId: input.partnerId,
      payerAccountId: input.payerAccountId,
      reason,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      state: 'pending',
      requestedBy: input.requestedBy,
      requestedBySide: input.side,
      requestedAt: now,
    })
    .returning();
  return toView(row!, now);
}

export async function getWindow(db: Db, id: string, now = new Date()): Promise<RootAccessWindow | null> {
  const [row] = await db.select().from(rootAccessWindows).where(eq(rootAccessWindows.id, id));
  return row ? toView(row, now) : null;
}

/**
 * Approves or rejects a pending request. Only the other side decides, and never the person who asked (even should
 * they hold a login on both sides). The state change is one conditional update, so two deciders cannot both win.
 */
export async function decideWindow(
  db: Db,
  id: string,
  decision: 'approved' | 'rejected',
  by: { email: string; side: WindowSide; note?: string | undefined },
  now = new Date(),
): Promise<RootAccessWindow> {
  const [row] = await db.select().from(rootAccessWindows).where(eq(rootAccessWindows.id, id));
  if (!row) throw new RootWindowError('not_found', `root-access window ${id} not found`);
  if (row.requestedBy.toLowerCase() === by.email.toLowerCase())
    throw new RootWindowError('forbidden', 'you requested this window: the other party must decide it');
  const side = row.requestedBySide as WindowSide;
  if (by.side === side)
    throw new RootWindowError(
      'forbidden',
      side === 'partner'
        ? "the partner asked for this window: a distributor admin decides it, not the partner's own viewers"
        : "the distributor asked for this window: the partner's viewer decides it, not another distributor admin",
    );
  const state = displayState(row, now);
  if (state !== 'pending')
    throw new RootWindowError('conflict', `this window is ${state}: it can no longer be decided`);
  const note = by.note?.trim() ? by.note.trim().slice(0, REASON_MAX) : null;
  const [updated] = await db
    .update(rootAccessWindows)
    .set({ state: decision, decidedBy: by.email, decidedAt: now, decisionNote: note })
    .where(and(eq(rootAccessWindows.id, id), eq(rootAccessWindows.state, 'pending')))
    .returning();
  if (!updated) throw new RootWindowError('conflict', 'this window was decided by someone else a moment ago');
  return toView(updated, now);
}

export interface WindowFilter {
  partnerId?: string | undefined;
  payerAccountId?: string | undefined;
  state?: WindowDisplayState | undefined;
  limit?: number | undefined;
}

/** Newest request first. "expired" and "pending" are told apart by the end time, as displayState does. */
export async function listWindows(db: Db, f: WindowFilter = {}, now = new Date()): Promise<RootAccessWindow[]> {
  const where: SQL[] = [];
  if (f.partnerId) where.push(eq(rootAccessWindows.partnerId, f.partnerId));
  if (f.payerAccountId) where.push(eq(rootAccessWindows.payerAccountId, f.payerAccountId));
  if (f.state === 'expired') where.push(eq(rootAccessWindows.state, 'pending'), lt(rootAccessWindows.endsAt, now));
  else if (f.state === 'pending')
    where.push(eq(rootAccessWindows.state, 'pending'), gte(rootAccessWindows.endsAt, now));
  else if (f.state) where.push(eq(rootAccessWindows.state, f.state));
  const rows = await db
    .select()
    .from(rootAccessWindows)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(rootAccessWindows.requestedAt), desc(rootAccessWindows.id))
    .limit(Math.min(Math.max(f.limit ?? 200, 1), 1000));
  return rows.map((r) => toView(r, now));
}

/**
 * The windows of many partners at once (exports read a page of partners), newest first per partner, limited to the
 * ones that matter for a snapshot: requested by `asOf`, and ending no earlier than `since`.
 */
export async function windowsForPartners(
  db: Db,
  partnerIds: string[],
  opts: { since: Date; asOf: Date; perPartner?: number },
): Promise<Map<string, RootAccessWindow[]>> {
  const out = new Map<string, RootAccessWindow[]>();
  if (!partnerIds.length) return out;
  const rows = await db
    .select()
    .from(rootAccessWindows)
    .where(
      and(
        inArray(rootAccessWindows.partnerId, partnerIds),
        gte(rootAccessWindows.endsAt, opts.since),
        sql`${rootAccessWindows.requestedAt} <= ${opts.asOf.toISOString()}::timestamptz`,
      ),
    )
    .orderBy(desc(rootAccessWindows.requestedAt), desc(rootAccessWindows.id));
  const max = opts.perPartner ?? 200;
  for (const r of rows) {
    // A decision taken after the export's "as of" time had not happened yet.
    const asOfRow =
      r.decidedAt && r.decidedAt > opts.asOf
        ? { ...r, state: 'pending', decidedBy: null, decidedAt: null, decisionNote: null }
        : r;
    const list = out.get(r.partnerId) ?? [];
    if (list.length < max) list.push(toView(asOfRow, opts.asOf));
    out.set(r.partnerId, list);
  }
  return out;
}

/**
 * The evidence the payer job adds for the root-window control: this payer's approved windows that end inside the
 * root look-back (or later). A database failure becomes a failed Call, so the control says unknown, never pass.
 */
export async function approvedWindowsEvidence(
  db: Db,
  payerAccountId: string,
  opts: { now: Date; lookbackDays: number },
): Promise<Call<ApprovedRootWindow[]>> {
  try {
    const since = new Date(opts.now.getTime() - opts.lookbackDays * 86_400_000);
    const rows = await db
      .select()
      .from(rootAccessWindows)
      .where(
        and(
          eq(rootAccessWindows.payerAccountId, payerAccountId),
          eq(rootAccessWindows.state, 'approved'),
          gte(rootAccessWindows.endsAt, since),
        ),
      )
      .orderBy(rootAccessWindows.startsAt)
      .limit(1000);
    return {
      status: 'ok',
      api: API.rootAccessWindows,
      data: rows.map((r) => ({
        id: r.id,
        reason: r.reason,
        startsAt: r.startsAt.toISOString(),
        endsAt: r.endsAt.toISOString(),
        requestedBy: r.requestedBy,
        requestedBySide: r.requestedBySide as WindowSide,
        requestedAt: r.requestedAt.toISOString(),
        approvedBy: r.decidedBy ?? '',
        approvedAt: (r.decidedAt ?? r.requestedAt).toISOString(),
      })),
    };
  } catch (err) {
    return {
      status: 'error',
      api: API.rootAccessWindows,
      errorCode: 'DatabaseError',
      message: `could not read the approved root-access windows: ${(err as Error).message}`.slice(0, 500),
    };
  }
}
