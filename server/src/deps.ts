import type { Config, Db, Logger } from '@payerguard/core';
import type { Redis } from 'ioredis';

export interface ServerDeps {
  db: Db;
  config: Config;
  logger: Logger;
  redis?: Redis;
  queuePrefix?: string;
  webDist?: string;
  /** Tunables tests turn down; production uses the defaults. */
  options?: {
    loginRateLimitPerMinute?: number;
    maxFailedLogins?: number;
    lockoutMinutes?: number;
    /** Poll interval of the run progress stream. */
    runEventsIntervalMs?: number;
  };
}

/** What each feature plugin receives. */
export type FeatureOpts = ServerDeps;
