import { API, type Call } from '../../evidence/types.js';

/**
 * The one rule for "the distributor is locked out of this payer". Only STS refusing AssumeRole is a lockout: AWS
 * answers a missing role, a trust policy that no longer names the hub and a wrong ExternalId with the same
 * AccessDenied. Everything else (throttling, 5xx, timeouts, network errors, a hub whose own keys are bad, a crash in
 * our collector) says nothing about the payer: the access is unverified, retried, and never counted as a lockout.
 */
export type AccessOutcome = 'ok' | 'lockout' | 'unverified';

/** AccessDenied as STS words it (awsQuery) and as a JSON service would; both mean "the role refused you". */
export const LOCKOUT_ERROR_CODES: ReadonlySet<string> = new Set(['AccessDenied', 'AccessDeniedException']);

/** Set by the collector when the session answered from another account: the registered role ARN is wrong. */
export const ACCOUNT_MISMATCH = 'AccountMismatch';

export function accessOutcome(access: Call<unknown> | undefined): AccessOutcome {
  if (!access) return 'unverified';
  if (access.status === 'ok') return 'ok';
  if (access.errorCode === ACCOUNT_MISMATCH) return 'lockout';
  if (access.api === API.assumeRole && LOCKOUT_ERROR_CODES.has(access.errorCode)) return 'lockout';
  return 'unverified';
}
