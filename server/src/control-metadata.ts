import { CONTROLS } from '@payerguard/core/controls/all-controls';
import type { ControlMeta } from '@payerguard/core/controls/types';

/** The control catalogue as the API shows it: metadata only (evaluate() stays in core). */
export function controlCatalogue(): ControlMeta[] {
  return CONTROLS.map((c) => ({
    id: c.id,
    title: c.title,
    category: c.category,
    severity: c.severity,
    rationale: c.rationale,
    remediation: c.remediation,
    references: c.references,
    evidence: c.evidence,
  }));
}

export const controlsById = (): Map<string, ControlMeta> => new Map(controlCatalogue().map((c) => [c.id, c]));
