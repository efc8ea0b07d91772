import type { DistributorSettings, PayerEvidence } from '@payerguard/core';
import type { Finding } from '@payerguard/core/controls/types';
import type { PayerView } from '@payerguard/core/read-model/payer-view';

/** One payer to evaluate, as sent to an evaluation thread (structured clone: dates travel as ISO strings). */
export interface EvaluationRequest {
  id: number;
  evidence: PayerEvidence;
  settings: DistributorSettings;
  now: string;
  lastAccessOkAt?: string;
}

export type EvaluationReply =
  | { id: number; ok: true; findings: Finding[]; fingerprint: string; view?: PayerView }
  | { id: number; ok: false; error: string };

export interface Evaluated {
  findings: Finding[];
  fingerprint: string;
  /** The drill-down's view of the payer, built from the same analysis as the findings (absent if it could not be). */
  view?: PayerView;
}
