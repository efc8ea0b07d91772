/**
 * Queue names and job payloads shared by the server (which enqueues) and the workers (which process).
 * The server and the workers never import each other; they meet here.
 */
export const QUEUES = {
  /** Parent job per collection run (scores and summarises when its children finish). */
  runs: 'payerguard-runs',
  /** One child job per payer. */
  payers: 'payerguard-payers',
  /** Scheduled and on-demand exports. */
  exports: 'payerguard-exports',
  /** Export deliveries (S3, webhook), retried independently of the export itself. */
  deliveries: 'payerguard-deliveries',
  /** Alert deliveries to alert channels (webhooks), retried with backoff. */
  alerts: 'payerguard-alerts',
} as const;

export interface RunJobData {
  runId: string;
}

export interface PayerJobData {
  runId: string;
  partnerId: string;
  payerAccountId: string;
}

/** BullMQ key prefix when none is given: keeps payerguard's keys apart from other BullMQ users of the same Redis. */
export const DEFAULT_QUEUE_PREFIX = 'payerguard';

/** How a payer job retries transient failures (deterministic denials are not retried). */
export const PAYER_JOB_ATTEMPTS = 3;
export const PAYER_JOB_BACKOFF_MS = 2_000;
