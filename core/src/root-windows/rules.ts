import type { ApprovedRootWindow } from '../evidence/types.js';

/**
 * The rules of two-party root access, in one place: how long a window may be, who decides a request, and whether a
 * root event fell inside an approved window. The API, the control and the exports all import these.
 */

/** Root tasks are short (close an account, change a support plan): a day at most; longer needs a second request. */
export const MAX_WINDOW_HOURS = 24;
export const MIN_WINDOW_MINUTES = 5;
/** A window may be asked for up to this far ahead. */
export const MAX_LEAD_DAYS = 30;
/** Clock skew tolerated for "starts now": a request may start this much in the past, never more (no retroactive cover). */
export const START_SKEW_MINUTES = 5;
export const REASON_MAX = 2000;

export type WindowSide = 'partner' | 'distributor';
export type WindowState = 'pending' | 'approved' | 'rejected';
/** What a person is shown: a pending request whose end has passed can no longer be decided. */
export type WindowDisplayState = WindowState | 'expired';

/** The side a role acts for; analysts (read-only) are on no side. */
export function sideOf(role: string): WindowSide | null {
  if (role === 'partner_viewer') return 'partner';
  if (role === 'admin') return 'distributor';
  return null;
}

export const otherSide = (s: WindowSide): WindowSide => (s === 'partner' ? 'distributor' : 'partner');

export function displayState(w: { state: string; endsAt: Date | string }, now: Date): WindowDisplayState {
  if (w.state === 'pending' && new Date(w.endsAt).getTime() < now.getTime()) return 'expired';
  return w.state as WindowState;
}

/** Problems with a requested period, each a sentence naming the field; empty when the request may be stored. */
export function periodProblems(startsAt: Date, endsAt: Date, now: Date): string[] {
  const out: string[] = [];
  if (Number.isNaN(startsAt.getTime())) out.push('startsAt: expected an ISO 8601 date-time');
  if (Number.isNaN(endsAt.getTime())) out.push('endsAt: expected an ISO 8601 date-time');
  if (out.length) return out;
  const minutes = (endsAt.getTime() - startsAt.getTime()) / 60_000;
  if (minutes <= 0) out.push('endsAt: must be after startsAt');
  else if (minutes < MIN_WINDOW_MINUTES) out.push(`endsAt: a window lasts at least ${MIN_WINDOW_MINUTES} minutes`);
  else if (minutes > MAX_WINDOW_HOURS * 60)
    out.push(`endsAt: a window lasts at most ${MAX_WINDOW_HOURS} hours (ask for another window for more)`);
  if (startsAt.getTime() < now.getTime() - START_SKEW_MINUTES * 60_000)
    out.push('startsAt: must not be in the past (a window cannot cover root use that already happened)');
  if (startsAt.getTime() > now.getTime() + MAX_LEAD_DAYS * 86_400_000)
    out.push(`startsAt: at most ${MAX_LEAD_DAYS} days ahead`);
  return out;
}

/**
 * The approved window a root event falls in, if any. A window covers from its start or its approval, whichever is
 * later, to its end: root used before the other party agreed was not two-party use, even inside the asked period.
 */
export function windowCovering(
  windows: readonly ApprovedRootWindow[],
  eventTime: string,
): ApprovedRootWindow | undefined {
  const t = Date.parse(eventTime);
  if (Number.isNaN(t)) return undefined;
  return windows.find((w) => {
    const from = Math.max(Date.parse(w.startsAt), Date.parse(w.approvedAt));
    return from <= t && t <= Date.parse(w.endsAt);
  });
}
