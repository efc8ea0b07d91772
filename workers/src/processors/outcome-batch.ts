import type { Db } from '@payerguard/core';
import { type PayerOutcome, recordOutcome, recordOutcomes } from './outcome.js';

/** Most payers one transaction records: bounds a batch's statement sizes and how much one failure has to redo. */
export const MAX_OUTCOMES_PER_BATCH = 32;

interface Waiting {
  outcome: PayerOutcome;
  resolve: (recorded: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit of payer outcomes across the payer jobs of one process. A job hands its outcome over and waits; the
 * outcomes that arrive while a batch is being written go together in the next one (recordOutcomes: one transaction,
 * one statement per table), so under load each payer's share of the database work shrinks, and a lone payer waits for
 * no timer. A job's promise settles only after its batch has committed, so BullMQ completes the job only once its rows
 * are in: a crash before that leaves the job to be retried, and recordOutcome's status guard records it once.
 * A batch that fails is written again one payer per transaction, so one bad outcome (or a deadlock with another
 * process) costs only its own payer, and none is lost or counted twice.
 */
export class OutcomeBatcher {
  private waiting: Waiting[] = [];
  private writing = false;
  /** Batches written and the outcomes in them (bench figures). */
  readonly stats = { batches: 0, outcomes: 0, fallbacks: 0 };

  constructor(
    private readonly db: Db,
    private readonly maxBatch = MAX_OUTCOMES_PER_BATCH,
  ) {}

  /** Records `outcome` with whatever else is waiting; true when recorded now, false when it already was. */
  record(outcome: PayerOutcome): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.waiting.push({ outcome, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.writing || !this.waiting.length) return;
    this.writing = true;
    // One turn of the event loop first: outcomes finishing in the same tick join the batch.
    setImmediate(() => {
      void this.write(this.waiting.splice(0, this.maxBatch)).finally(() => {
        this.writing = false;
        this.next();
      });
    });
  }

  private async write(batch: Waiting[]): Promise<void> {
    try {
      const recorded = await recordOutcomes(
        this.db,
        batch.map((w) => w.outcome),
      );
      this.stats.batches++;
      this.stats.outcomes += batch.length;
      for (const [i, w] of batch.entries()) w.resolve(recorded[i]!);
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      // Nothing of the batch was committed: each payer on its own now, so the failure stays with whoever caused it
      // (a database outage fails them all, and each job waits it out and hands its outcome over again).
      this.stats.fallbacks++;
      for (const w of batch) {
        try {
          w.resolve(await recordOutcome(this.db, w.outcome));
        } catch (e) {
          w.reject(e);
        }
      }
    }
  }
}
