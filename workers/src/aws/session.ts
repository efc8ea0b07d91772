import type { SessionCredentials } from './client-options.js';

/**
 * The assumed-role session of one payer, renewed before it expires. A collection of a large payer (thousands of
 * principals, throttled CloudTrail pages) can outlive the 15-minute session AssumeRole hands out; an ExpiredToken
 * half-way would turn every later call into a failure that has nothing to do with the payer's permissions.
 */
export type CredentialProvider = () => Promise<SessionCredentials>;

/**
 * Renew when less than this is left. The SDK asks its credential provider again when the identity it holds expires
 * within 5 minutes, so renewing at the same margin keeps every client's cached identity fresh.
 */
export const SESSION_REFRESH_MARGIN_MS = 5 * 60_000;

export interface RefreshingSession {
  provider: CredentialProvider;
  /** How many times the session was renewed (for logs and tests). */
  renewals(): number;
}

/**
 * Hands out `first` until it is within `marginMs` of its expiration, then `renew()`s once for every caller waiting at
 * that moment (one AssumeRole, not one per client). Credentials without an expiration are never renewed. A failed
 * renewal is thrown to the call that needed it (and retried by the next), so the call records the real error.
 */
export function refreshingSession(
  first: SessionCredentials,
  renew: () => Promise<SessionCredentials>,
  opts: { marginMs?: number; now?: () => number } = {},
): RefreshingSession {
  const margin = opts.marginMs ?? SESSION_REFRESH_MARGIN_MS;
  const now = opts.now ?? Date.now;
  let current = first;
  let pending: Promise<SessionCredentials> | undefined;
  let count = 0;
  const fresh = (c: SessionCredentials) => !c.expiration || c.expiration.getTime() - now() > margin;
  return {
    renewals: () => count,
    provider: async () => {
      if (fresh(current)) return current;
      pending ??= renew()
        .then((c) => {
          current = c;
          count++;
          return c;
        })
        .finally(() => {
          pending = undefined;
        });
      return pending;
    },
  };
}
