import type { MonthlySpend, PayerEvidence } from '../evidence/types.js';

const monthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)).toISOString().slice(0, 10);

/**
 * The last FULL month's spend as of `now`: the month that ended at the start of now's month. The running month is
 * an estimate and would make every partner look cheaper early in the month. Falls back to the latest complete,
 * non-estimated month Cost Explorer returned; null when spend could not be read.
 */
export function lastFullMonthSpend(
  ev: PayerEvidence,
  now: Date,
): { amount: number; month: string; unit: string } | null {
  const call = ev.costExplorer?.monthlySpend;
  if (call?.status !== 'ok' || !Array.isArray(call.data)) return null;
  const cutoff = monthStart(now);
  const complete = call.data.filter(
    (m: MonthlySpend) =>
      typeof m?.start === 'string' && typeof m.end === 'string' && m.end <= cutoff && Number.isFinite(m.amount),
  );
  const exact = complete.find((m) => m.end === cutoff);
  const pick = exact ?? complete.filter((m) => !m.estimated).sort((a, b) => b.start.localeCompare(a.start))[0];
  return pick ? { amount: pick.amount, month: pick.start.slice(0, 7), unit: pick.unit } : null;
}
