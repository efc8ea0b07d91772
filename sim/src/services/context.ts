import type { Estate, SimAccount } from '../estate/types.js';

/** Temporary credentials the simulator issued through AssumeRole. */
export interface Session {
  accessKeyId: string;
  accountId: string;
  roleName: string;
  roleId: string;
  sessionName: string;
  expiration: Date;
}

/** Who is calling, as AWS derives it from the access key. */
export interface Caller {
  accountId: string;
  arn: string;
  userId: string;
  /** Set for sessions the simulator issued; unset for the hub's own (unknown) keys. */
  session?: Session;
}

export const HUB_ROLE_NAME = 'PayerGuardHub';
export const HUB_SESSION_NAME = 'payerguard';

export function hubCaller(hubAccountId: string): Caller {
  return {
    accountId: hubAccountId,
    arn: `arn:aws:sts::${hubAccountId}:assumed-role/${HUB_ROLE_NAME}/${HUB_SESSION_NAME}`,
    userId: `AROAHUBPAYERGUARD0000:${HUB_SESSION_NAME}`,
  };
}

/** Mutable state beyond the estate: issued sessions and credential report generation. */
export interface SimState {
  estate: Estate;
  sessions: Map<string, Session>;
  /** accountId -> when GenerateCredentialReport was first called. */
  credentialReports: Map<string, Date>;
  /** How long a credential report takes to generate after it was requested. */
  credentialReportDelayMs: number;
  /** How long a generated credential report is handed out before ReportExpired (IAM: 4 hours). */
  credentialReportTtlMs: number;
  /** Overrides the lifetime of every issued session, in seconds (tests of long collections); unset: as requested. */
  sessionLifetimeSeconds?: number;
  /** AssumeRole calls answered with an error so far, per payer of profile sts-flaky. */
  stsFlakyCalls: Map<string, number>;
  /** How many AssumeRole calls into an sts-flaky payer fail before it answers normally. */
  stsFlakyFailures: number;
}

export interface CallContext {
  state: SimState;
  caller: Caller;
  /** The caller's account contents; always set for services other than STS (the router refuses otherwise). */
  account: SimAccount;
  requestId: string;
  now: Date;
  /** The SigV4 credential scope's region: CloudTrail and EventBridge answer only for it, as AWS does. */
  region: string;
}
