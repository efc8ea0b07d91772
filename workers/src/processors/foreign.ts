import { DelayedError, type Job } from 'bullmq';

/** How long a job of a run this database does not know is passed back before it is failed for good. */
export const FOREIGN_JOB_GRACE_MS = 10 * 60_000;

/**
 * A job whose run is not in this worker's database belongs to another deployment on the same Redis and queue prefix
 * (or its run was deleted). Hand it back, without spending an attempt, so the worker that owns it can take it; give
 * up only once it is old.
 */
export async function handBack(job: Job, token: string | undefined, what: string): Promise<never> {
  if (Date.now() - job.timestamp > FOREIGN_JOB_GRACE_MS || !token)
    throw new Error(`${what} is not in this worker's database (another deployment's queue, or a deleted run)`);
  await job.moveToDelayed(Date.now() + 500 + Math.floor(Math.random() * 1_000), token);
  throw new DelayedError();
}
