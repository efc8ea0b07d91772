import { randomBytes } from 'node:crypto';
import { and, desc, eq, gt, isNotNull, isNull, type SQL } from 'drizzle-orm';
import type { Finding } from '../controls/types.js';
import type { Db } from '../db/index.js';
import { suppressions } from '../db/schema.js';

/** An accepted exception: a partner's control (or one resource of it) is not counted until `expiresAt`. */
export interface Suppression {
  id: string;
  partnerId: string;
  controlId: string;
  /** '' = every resource of the control for the partner. */
  resource: string;
  reason: string;
  approver: string;
  expiresAt: Date;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
  /** Null while it waits for a second admin (critical controls): until then it changes no verdict. */
  approvedAt: Date | null;
  secondApprover: string | null;
}

export type SuppressionState = 'pending' | 'active' | 'expired' | 'revoked';

export function suppressionState(
  s: Pick<Suppression, 'expiresAt' | 'revokedAt' | 'approvedAt'>,
  now: Date,
): SuppressionState {
  if (s.revokedAt) return 'revoked';
  if (s.expiresAt.getTime() <= now.getTime()) return 'expired';
  return s.approvedAt ? 'active' : 'pending';
}

/** Only an approved, unexpired, unrevoked suppression counts: a pending one changes no verdict. */
export const isActive = (s: Pick<Suppression, 'expiresAt' | 'revokedAt' | 'approvedAt'>, now: Date) =>
  suppressionState(s, now) === 'active';

/**
 * Turns fail/warn findings covered by an active suppression into `suppressed`, keeping the original status in the
 * evidence (findings are stored once, so the record must say what was accepted). pass/unknown are never suppressed:
 * an exception cannot hide that we could not see.
 */
export function applySuppressions(findings: Finding[], list: Suppression[], now: Date): Finding[] {
  const active = new Map<string, Suppression>();
  for (const s of list) {
    if (!isActive(s, now)) continue;
    const key = `${s.partnerId}|${s.controlId}|${s.resource}`;
    const prev = active.get(key);
    // With two overlapping exceptions, record the one that lasts longest.
    if (!prev || prev.expiresAt < s.expiresAt) active.set(key, s);
  }
  if (active.size === 0) return findings;
  return findings.map((f) => {
    if (f.status !== 'fail' && f.status !== 'warn') return f;
    const s = active.get(`${f.partnerId}|${f.controlId}|${f.resource}`) ?? active.get(`${f.partnerId}|${f.controlId}|`);
    if (!s) return f;
    return {
      ...f,
      status: 'suppressed',
      suppressionId: s.id,
      evidence: {
        ...f.evidence,
        suppressedStatus: f.status,
        suppression: { id: s.id, reason: s.reason, approver: s.approver, expiresAt: s.expiresAt.toISOString() },
      },
    };
  });
}

export interface NewSuppression {
  partnerId: string;
  controlId: string;
  resource?: string;
  reason: string;
  approver: string;
  expiresAt: Date | string;
  createdBy: string;
  /** A critical control's exception: stays pending until a second admin (not the requester) approves it. */
  needsSecondApproval?: boolean;
  /** Longest allowed expiry from now, in days (the distributor setting `suppressionMaxDays`). */
  maxDays?: number;
}

export class SuppressionError extends Error {
  constructor(public readonly errors: { path: string; message: string }[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
    this.name = 'SuppressionError';
  }
}

/** Checks a new suppression; `knownControlIds` lets the API reject typos in control ids. */
export function validateSuppression(
  input: NewSuppression,
  now: Date,
  knownControlIds?: ReadonlySet<string>,
): { path: string; message: string }[] {
  const errors: { path: string; message: string }[] = [];
  const str = (v: unknown) => typeof v === 'string' && v.trim().length > 0;
  if (!str(input.partnerId)) errors.push({ path: 'partnerId', message: 'required' });
  if (!str(input.controlId)) errors.push({ path: 'controlId', message: 'required' });
  else if (knownControlIds && !knownControlIds.has(input.controlId))
    errors.push({ path: 'controlId', message: `unknown control "${input.controlId}"` });
  if (input.resource !== undefined && typeof input.resource !== 'string')
    errors.push({ path: 'resource', message: 'must be a string (empty for every resource)' });
  if (!str(input.reason)) errors.push({ path: 'reason', message: 'required: say why the exception is accepted' });
  if (!str(input.approver)) errors.push({ path: 'approver', message: 'required: who approved the exception' });
  if (!str(input.createdBy)) errors.push({ path: 'createdBy', message: 'required' });
  const exp = input.expiresAt instanceof Date ? input.expiresAt : new Date(String(input.expiresAt));
  if (Number.isNaN(exp.getTime())) errors.push({ path: 'expiresAt', message: 'must be a date (ISO 8601)' });
  else if (exp.getTime() <= now.getTime()) errors.push({ path: 'expiresAt', message: 'must be in the future' });
  else if (input.maxDays !== undefined && exp.getTime() > now.getTime() + input.maxDays * 86_400_000)
    errors.push({ path: 'expiresAt', message: `must be at most ${input.maxDays} days from now` });
  return errors;
}

export async function createSuppression(
  db: Db,
  input: NewSuppression,
  opts: { now?: Date; knownControlIds?: ReadonlySet<string> } = {},
): Promise<Suppression> {
  const now = opts.now ?? new Date();
  const errors = validateSuppression(input, now, opts.knownControlIds);
  if (errors.length) throw new SuppressionError(errors);
  const [row] = await db
    .insert(suppressions)
    .values({
      id: `sup_${randomBytes(8).toString('hex')}`,
      partnerId: input.partnerId.trim(),
      controlId: input.controlId.trim(),
      resource: (input.resource ?? '').trim(),
      reason: input.reason.trim(),
      approver: input.approver.trim(),
      expiresAt: input.expiresAt instanceof Date ? input.expiresAt : new Date(input.expiresAt),
      createdBy: input.createdBy,
      createdAt: now,
      approvedAt: input.needsSecondApproval ? null : now,
    })
    .returning();
  if (!row) throw new Error('suppression was not stored');
  return row;
}

/** Revokes an active suppression. Returns null when there is no such suppression or it was already revoked. */
export async function revokeSuppression(
  db: Db,
  id: string,
  by: string,
  now: Date = new Date(),
): Promise<Suppression | null> {
  const [row] = await db
    .update(suppressions)
    .set({ revokedAt: now, revokedBy: by })
    .where(and(eq(suppressions.id, id), isNull(suppressions.revokedAt)))
    .returning();
  return row ?? null;
}

export type ApprovalOutcome =
  | { ok: true; suppression: Suppression }
  | { ok: false; reason: 'not_found' | 'not_pending' | 'same_person' };

/**
 * The second admin's approval of a pending suppression. The requester can never approve their own: one person
 * alone must not be able to accept a critical risk.
 */
export async function approveSuppression(
  db: Db,
  id: string,
  by: string,
  now: Date = new Date(),
): Promise<ApprovalOutcome> {
  const [cur] = await db.select().from(suppressions).where(eq(suppressions.id, id));
  if (!cur) return { ok: false, reason: 'not_found' };
  if (suppressionState(cur, now) !== 'pending') return { ok: false, reason: 'not_pending' };
  if (cur.createdBy === by) return { ok: false, reason: 'same_person' };
  const [row] = await db
    .update(suppressions)
    .set({ approvedAt: now, secondApprover: by })
    .where(and(eq(suppressions.id, id), isNull(suppressions.approvedAt), isNull(suppressions.revokedAt)))
    .returning();
  return row ? { ok: true, suppression: row } : { ok: false, reason: 'not_pending' };
}

/**
 * Newest first. By default only active ones (approved, not revoked, not expired at `now`): what scoring applies.
 * `includePending` adds those waiting for a second approval; `includeExpired` adds everything.
 */
export async function listSuppressions(
  db: Db,
  opts: { partnerId?: string; includeExpired?: boolean; includePending?: boolean; now?: Date } = {},
): Promise<Suppression[]> {
  const now = opts.now ?? new Date();
  const where: SQL[] = [];
  if (opts.partnerId) where.push(eq(suppressions.partnerId, opts.partnerId));
  if (!opts.includeExpired) where.push(isNull(suppressions.revokedAt), gt(suppressions.expiresAt, now));
  if (!opts.includeExpired && !opts.includePending) where.push(isNotNull(suppressions.approvedAt));
  return db
    .select()
    .from(suppressions)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(suppressions.createdAt), desc(suppressions.id));
}
