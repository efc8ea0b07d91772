import { Worker } from 'node:worker_threads';
import type { DistributorSettings, PayerEvidence } from '@payerguard/core';
import { evaluatePayer, evaluationFingerprint } from '@payerguard/core/engine/evaluate';
import { buildPayerView } from '@payerguard/core/read-model/build-payer-view';
import type { PayerView } from '@payerguard/core/read-model/payer-view';
import type { Evaluated, EvaluationReply, EvaluationRequest } from './protocol.js';

export type { Evaluated } from './protocol.js';

export interface EvaluationInput {
  evidence: PayerEvidence;
  settings: DistributorSettings;
  now: Date;
  lastAccessOkAt?: Date;
}

/** Runs the controls on one payer and builds its view; both are identical wherever they run. */
export interface Evaluator {
  evaluate(input: EvaluationInput): Promise<Evaluated>;
  close(): Promise<void>;
}

/** In the calling thread: for EVALUATION_THREADS=0 and as the fallback when a thread cannot start. */
export const inlineEvaluator: Evaluator = {
  async evaluate({ evidence, settings, now, lastAccessOkAt }) {
    const findings = evaluatePayer(evidence, { settings, now, ...(lastAccessOkAt ? { lastAccessOkAt } : {}) });
    let view: PayerView | undefined;
    try {
      view = buildPayerView(evidence, settings);
    } catch {}
    return { findings, fingerprint: evaluationFingerprint(settings), ...(view ? { view } : {}) };
  },
  async close() {},
};

interface Pending {
  resolve: (e: Evaluated) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

const ENTRY = new URL('./thread-entry.mjs', import.meta.url);

/**
 * A fixed set of evaluation threads. Each payer goes to the thread with the fewest payers in hand; a thread that dies
 * fails its payers (the caller then leaves them to scoreRun) and is replaced, so one bad evidence document cannot stop
 * evaluation for the others.
 */
export class EvaluationPool implements Evaluator {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`evaluation threads must be >= 1, got ${size}`);
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    // execArgv [] : the entry registers tsx itself; inheriting --import tsx would register it twice.
    const worker = new Worker(ENTRY, { execArgv: [] });
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (reply: EvaluationReply) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      slot.pending.delete(reply.id);
      if (reply.ok)
        p.resolve({
          findings: reply.findings,
          fingerprint: reply.fingerprint,
          ...(reply.view ? { view: reply.view } : {}),
        });
      else p.reject(new Error(reply.error));
    });
    const fail = (err: Error) => {
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
      const i = this.slots.indexOf(slot);
      if (i >= 0 && !this.closed) this.slots[i] = this.spawn();
    };
    worker.on('error', (err) => fail(err instanceof Error ? err : new Error(String(err))));
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`evaluation thread exited with code ${code}`));
    });
    // Idle threads must not keep a finished CLI process alive.
    worker.unref();
    return slot;
  }

  evaluate(input: EvaluationInput): Promise<Evaluated> {
    if (this.closed) return Promise.reject(new Error('the evaluation pool is closed'));
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = this.nextId++;
    const req: EvaluationRequest = {
      id,
      evidence: input.evidence,
      settings: input.settings,
      now: input.now.toISOString(),
      ...(input.lastAccessOkAt ? { lastAccessOkAt: input.lastAccessOkAt.toISOString() } : {}),
    };
    return new Promise<Evaluated>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      // While work is in flight the thread must keep the process alive.
      slot.worker.ref();
      const done = () => {
        if (slot.pending.size === 0) slot.worker.unref();
      };
      const p = slot.pending.get(id)!;
      p.resolve = (e) => {
        resolve(e);
        done();
      };
      p.reject = (e) => {
        reject(e);
        done();
      };
      slot.worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('the evaluation pool closed');
    for (const s of this.slots) {
      for (const p of s.pending.values()) p.reject(err);
      s.pending.clear();
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

/** EVALUATION_THREADS threads, or the calling thread when it is 0. */
export function createEvaluator(threads: number): Evaluator {
  return threads > 0 ? new EvaluationPool(threads) : inlineEvaluator;
}
