import { type SQL, sql } from 'drizzle-orm';
import type { Grade } from './scoring.js';

/**
 * What "compliant" and "at risk" mean for a partner's snapshot, defined once for the run summary, the overview, the
 * exports and the screens (docs/scoring.md explains the choice).
 *
 * Compliant: graded A or B. The grade already holds the program's rules: a critical control that fails or that we
 * could not see caps the score at 60 (grade D), and a lockout scores 0 (grade F), so a partner is never compliant
 * while the distributor is locked out or cannot see a critical control (DOMAIN.md: unknown is never "pass"). "No
 * critical failure" alone is not enough: it would call a partner whose critical evidence could not be collected
 * compliant.
 *
 * At risk: locked out, or failing a critical control: its monthly spend is "spend at risk" (DOMAIN.md, money at risk).
 */
export function isCompliant(s: { grade: Grade | string }): boolean {
  return s.grade === 'A' || s.grade === 'B';
}

export function isAtRisk(s: { lockedOut: boolean; criticalFailures: readonly string[] }): boolean {
  return s.lockedOut || s.criticalFailures.length > 0;
}

/** Share (0..1, three decimals) of scored partners that are compliant; null when no partner has been scored. */
export function compliantShare(scored: readonly { grade: Grade | string }[]): number | null {
  if (!scored.length) return null;
  return Math.round((scored.filter(isCompliant).length / scored.length) * 1000) / 1000;
}

/** isAtRisk over snapshot rows in SQL (columns locked_out, critical_failures), for aggregates such as the estate trend. */
export const AT_RISK_SQL: SQL = sql`(locked_out or jsonb_array_length(critical_failures) > 0)`;
