import { parentPort } from 'node:worker_threads';
import { evaluatePayer, evaluationFingerprint } from '@payerguard/core/engine/evaluate';
import { buildPayerView } from '@payerguard/core/read-model/build-payer-view';
import type { PayerView } from '@payerguard/core/read-model/payer-view';
import type { EvaluationReply, EvaluationRequest } from './protocol.js';

/**
 * One evaluation thread: runs the controls (policy simulation is most of their cost) on payers the pool sends, so
 * the worker process uses every core and its event loop (BullMQ locks, the API with PGlite) never waits on them.
 * Each thread keeps its own policy memos (core/src/policy/decision-memo.ts: boundary verdicts and whole decisions,
 * bounded LRUs), warmed by the payers it sees, so the pool's memory stays flat however many payers pass through it.
 */
const fingerprints = new Map<string, string>();

parentPort?.on('message', (req: EvaluationRequest) => {
  let reply: EvaluationReply;
  try {
    const findings = evaluatePayer(req.evidence, {
      settings: req.settings,
      now: new Date(req.now),
      ...(req.lastAccessOkAt ? { lastAccessOkAt: new Date(req.lastAccessOkAt) } : {}),
    });
    const key = JSON.stringify(req.settings);
    let fingerprint = fingerprints.get(key);
    if (!fingerprint) {
      fingerprint = evaluationFingerprint(req.settings);
      if (fingerprints.size > 16) fingerprints.clear();
      fingerprints.set(key, fingerprint);
    }
    // After the controls: the view reuses their policy analysis of this same evidence object.
    // A view that cannot be built must not cost the findings: scoreRun tries again and the page says it is missing.
    let view: PayerView | undefined;
    try {
      view = buildPayerView(req.evidence, req.settings);
    } catch {}
    reply = { id: req.id, ok: true, findings, fingerprint, ...(view ? { view } : {}) };
  } catch (err) {
    reply = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
