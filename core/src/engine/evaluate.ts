import { createHash } from 'node:crypto';
import { CONTROLS } from '../controls/all-controls.js';
import type { Control, ControlResult, EvaluationContext, Finding } from '../controls/types.js';
import type { PayerEvidence } from '../evidence/types.js';
import type { DistributorSettings } from '../settings.js';

function toFinding(c: Control, ev: PayerEvidence, r: ControlResult): Finding {
  return {
    controlId: c.id,
    title: c.title,
    category: c.category,
    partnerId: ev.partnerId,
    payerAccountId: ev.payerAccountId,
    resource: r.resource ?? '',
    status: r.status,
    severity: r.severity ?? c.severity,
    message: r.message,
    evidence: r.evidence,
    remediation: c.remediation,
  };
}

/**
 * Runs every control on one payer's evidence. Never throws: a control that throws or returns nothing becomes an
 * `unknown` finding naming the problem, so one bad control (or odd evidence) cannot hide the others.
 */
export function evaluatePayer(
  ev: PayerEvidence,
  ctx: EvaluationContext,
  controls: readonly Control[] = CONTROLS,
): Finding[] {
  const out: Finding[] = [];
  // Evidence from storage may lack `access` entirely; treat that as no access rather than crash.
  const access = ev.access as PayerEvidence['access'] | undefined;
  const failed = access?.status !== 'ok' ? access : undefined;
  const noAccess = access?.status !== 'ok';
  for (const c of controls) {
    if (noAccess && !c.runsWithoutAccess) {
      out.push(
        toFinding(c, ev, {
          status: 'unknown',
          message: `Not evaluated: no access to payer ${ev.payerAccountId} (${failed?.errorCode ?? 'no access evidence'}).`,
          evidence: { reason: 'no access', api: failed?.api ?? 'sts:AssumeRole', errorCode: failed?.errorCode ?? null },
        }),
      );
      continue;
    }
    let results: ControlResult[];
    try {
      results = c.evaluate(ev, ctx);
      if (!Array.isArray(results) || results.length === 0) throw new Error('the control returned no result');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      out.push(
        toFinding(c, ev, {
          status: 'unknown',
          message: `Control ${c.id} could not evaluate this payer: ${message}`,
          evidence: { reason: 'control error', error: message },
        }),
      );
      continue;
    }
    for (const r of results) out.push(toFinding(c, ev, r));
  }
  return out;
}

/**
 * What findings evaluated ahead of scoring depend on besides the evidence: the settings and the control catalogue.
 * Findings stored with another fingerprint are evaluated again.
 */
/** The settings a verdict can depend on: how long raw evidence is kept is not one of them. */
function verdictSettings(settings: DistributorSettings): Omit<DistributorSettings, 'evidenceRetentionDays'> {
  const { evidenceRetentionDays: _, ...rest } = settings;
  return rest;
}

export function evaluationFingerprint(settings: DistributorSettings, controls: readonly Control[] = CONTROLS): string {
  return createHash('sha256')
    .update(JSON.stringify([verdictSettings(settings), controls.map((c) => [c.id, c.severity])]))
    .digest('hex')
    .slice(0, 32);
}
