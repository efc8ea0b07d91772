import { randomBytes } from 'node:crypto';
import { ApiError } from '../protocols/errors.js';
import type { QueryParams, XmlValue } from '../protocols/query.js';
import type { Caller, SimState } from './context.js';

const ROLE_ARN_RE = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME_RE = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID_RE = /^[\w+=,.@:/-]{2,1224}$/;

const denied = (caller: Caller, roleArn: string) =>
  new ApiError(
    'AccessDenied',
    `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    403,
  );

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

interface TrustStatement {
  Effect?: string;
  Principal?: { AWS?: string | string[] } | string;
  Action?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** The parts of trust-policy evaluation our roles use: AWS principals (account root or exact ARN) and sts:ExternalId. */
function trustAllows(trust: { Statement: unknown }, caller: Caller, externalId: string | undefined): boolean {
  for (const s of asArray(trust.Statement as TrustStatement | TrustStatement[])) {
    if (s.Effect !== 'Allow') continue;
    if (!asArray(s.Action).some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')) continue;
    const principals = s.Principal === '*' ? ['*'] : typeof s.Principal === 'object' ? asArray(s.Principal.AWS) : [];
    const principalOk = principals.some(
      (p) => p === '*' || p === caller.accountId || p === `arn:aws:iam::${caller.accountId}:root` || p === caller.arn,
    );
    if (!principalOk) continue;
    const wanted = s.Condition?.StringEquals?.['sts:ExternalId'];
    if (wanted !== undefined && !asArray(wanted).includes(externalId ?? '')) continue;
    return true;
  }
  return false;
}

/** sts-flaky: this many AssumeRole calls fail before the payer answers normally (fewer than the SDK's 5 attempts). */
export const DEFAULT_STS_FLAKY_FAILURES = 3;

/**
 * Profile sts-flaky: STS is having a bad spell for this payer. Throttling and a 5xx alternate, as STS words them in
 * awsQuery (Sender/Throttling 400, Receiver/ServiceUnavailable 503), then AssumeRole answers normally.
 */
function flaky(state: SimState, accountId: string): ApiError | undefined {
  if (!state.estate.payer(accountId)?.profiles.includes('sts-flaky')) return undefined;
  const n = state.stsFlakyCalls.get(accountId) ?? 0;
  if (n >= state.stsFlakyFailures) return undefined;
  state.stsFlakyCalls.set(accountId, n + 1);
  return n % 2 === 0
    ? new ApiError('Throttling', 'Rate exceeded', 400)
    : new ApiError('ServiceUnavailable', 'Service is unable to handle request.', 503);
}

export function assumeRole(state: SimState, caller: Caller, q: QueryParams, now: Date): XmlValue {
  const roleArn = q.required('RoleArn');
  const sessionName = q.required('RoleSessionName');
  if (!SESSION_NAME_RE.test(sessionName))
    throw new ApiError(
      'ValidationError',
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  const externalId = q.get('ExternalId');
  if (externalId !== undefined && !EXTERNAL_ID_RE.test(externalId))
    throw new ApiError(
      'ValidationError',
      "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*",
    );
  const duration = q.int('DurationSeconds', 3600, 900, 43200);
  const m = ROLE_ARN_RE.exec(roleArn);
  if (!m) throw new ApiError('ValidationError', `${roleArn} is invalid`);
  const [, accountId, roleName] = m as unknown as [string, string, string];
  const bad = flaky(state, accountId);
  if (bad) throw bad;
  const account = state.estate.account(accountId);
  const role = account?.roles.find((r) => r.name === roleName && roleArn.endsWith(`:role${r.path}${r.name}`));
  // AWS words a missing role and a refused trust the same way, so a caller cannot probe for role names.
  if (!account || !role || !trustAllows(role.trust, caller, externalId)) throw denied(caller, roleArn);
  if (duration > role.maxSessionDuration)
    throw new ApiError(
      'ValidationError',
      `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`,
    );
  const accessKeyId = `ASIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`;
  const lifetime = state.sessionLifetimeSeconds ?? duration;
  const expiration = new Date(Math.floor(now.getTime() / 1000) * 1000 + lifetime * 1000);
  state.sessions.set(accessKeyId, { accessKeyId, accountId, roleName, roleId: role.roleId, sessionName, expiration });
  return {
    Credentials: {
      AccessKeyId: accessKeyId,
      SecretAccessKey: randomBytes(30).toString('base64'),
      SessionToken: `FwoGZXIvYXdzE${randomBytes(96).toString('base64')}`,
      Expiration: expiration,
    },
    AssumedRoleUser: {
      AssumedRoleId: `${role.roleId}:${sessionName}`,
      Arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
    },
    PackedPolicySize: undefined,
  };
}

export function getCallerIdentity(caller: Caller): XmlValue {
  return { UserId: caller.userId, Account: caller.accountId, Arn: caller.arn };
}
