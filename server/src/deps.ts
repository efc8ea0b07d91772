import type { Config, Db, Logger } from '@payerguard/core';
import type { Redis } from 'ioredis';
import type { ChangeFeed } from './data/change-feed.js';
import type { EstateCache } from './data/estate-cache.js';

export interface ServerDeps {
  db: Db;
  config: Config;
  logger: Logger;
  redis?: Redis;
  queuePrefix?: string;
  webDist?: string;
  /** Told of every request but health checks (the embedded stack: collection gives way to the dashboard). */
  onRequest?: () => void;
  /** Tunables tests turn down; production uses the defaults. */
  options?: {
    loginRateLimitPerMinute?: number;
    maxFailedLogins?: number;
    lockoutMinutes?: number;
    /** Poll interval of the run progress stream. */
    runEventsIntervalMs?: number;
    /**
     * Tests only: answer with JSON.stringify instead of the response schemas, so the contract test sees everything a
     * handler returns (the schema serializer would silently drop what its schema does not list).
     */
    serializeWithoutSchemas?: boolean;
  };
}

/**
 * What each feature plugin receives: the deps, the one estate read model in memory the routes share, and the change
 * feed that says when a kept answer is no longer current.
 */
export type FeatureOpts = ServerDeps & { estate: EstateCache; feed: ChangeFeed };
