import { parentPort } from 'node:worker_threads';
import { evaluatePayer, evaluationFingerprint } from '@payerguard/core/engine/evaluate';
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
    reply = { id: req.id, ok: true, findings, fingerprint };
  } catch (err) {
    reply = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
