import type { RootEvent } from '../evidence/types.js';

/**
 * AWS's published "Tasks that require root user credentials"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html), as data: each task, in AWS's words and
 * order, with the CloudTrail events (eventSource/eventName) that performing it leaves behind and, where the event
 * name alone would let everyday work through, the condition on the request that makes it that task.
 *
 * Narrow on purpose. An event passes as root-only only when it is one of these tasks the way AWS lists it:
 * - Account settings are the account name, the root email, the root password and the root user's access keys (and,
 *   by the same token, the root user's own MFA device and signing certificates: no one but root can manage them). An
 *   IAM credential call that names a user (`userName`) is work on an IAM user, not on root's own settings.
 * - "Restore IAM user permissions" is the recovery AWS describes: the only IAM administrator revoked their own
 *   permissions and root edits that user's policies. Only user-policy writes qualify; attaching AdministratorAccess
 *   (that is handing out full power, not restoring) and touching any permissions boundary (removing or replacing the
 *   distributor's fence) never do, and neither do role or group writes.
 * - S3 counts only for MFA delete (PutBucketVersioning with an MfaDelete setting) and for unlocking a bucket policy
 *   that denies everyone (reading or deleting it; writing a new policy is for an IAM administrator afterwards).
 * - Tasks AWS lists whose traces are not management events (tax invoices, Reserved Instance Marketplace seller
 *   registration, GovCloud root keys and KMS key recovery through AWS Support) are kept with no events, so the
 *   catalogue stays complete and a reviewer sees why such use shows up as "not a root-only task".
 * - No longer on AWS's list, so no longer accepted: changing the Support plan (IAM `supportplans:` actions do it) and
 *   SQS queue policies.
 */
export interface RootTask {
  id: string;
  /** AWS's wording. */
  task: string;
  /** eventSource -> event names. */
  events: Record<string, string[]>;
  /** When set, the event is this task only if the predicate holds (see above for why each exists). */
  qualifies?: (e: RootEvent) => boolean;
  /** Why an event with a matching name did not qualify, for the finding. */
  notThisTask?: string;
}

/** The AWS managed policy whose attachment by root is never "restoring" permissions. */
export const ADMINISTRATOR_ACCESS_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';

const ROOT_CREDENTIAL_EVENTS = [
  'CreateAccessKey',
  'UpdateAccessKey',
  'DeleteAccessKey',
  'CreateVirtualMFADevice',
  'EnableMFADevice',
  'ResyncMFADevice',
  'DeactivateMFADevice',
  'DeleteVirtualMFADevice',
  'UploadSigningCertificate',
  'UpdateSigningCertificate',
  'DeleteSigningCertificate',
];

export const ROOT_TASKS: RootTask[] = [
  {
    id: 'account-settings',
    task: 'Change your account settings: the account name, email address, root user password and root user access keys',
    events: {
      'signin.amazonaws.com': ['PasswordUpdated', 'PasswordRecoveryRequested', 'PasswordRecoveryCompleted'],
      'account.amazonaws.com': ['PutAccountName', 'StartPrimaryEmailUpdate', 'AcceptPrimaryEmailUpdate'],
      'iam.amazonaws.com': ROOT_CREDENTIAL_EVENTS,
    },
    // Root's own credentials are addressed without a user name; naming one is managing an IAM user's credentials.
    qualifies: (e) => e.eventSource !== 'iam.amazonaws.com' || !e.request?.userName,
    notThisTask: "it manages an IAM user's credentials, not the root user's own",
  },
  {
    id: 'restore-iam-permissions',
    task: 'Restore IAM user permissions when the only IAM administrator accidentally revoked their own',
    events: { 'iam.amazonaws.com': ['AttachUserPolicy', 'PutUserPolicy', 'AddUserToGroup'] },
    qualifies: (e) => e.request?.policyArn !== ADMINISTRATOR_ACCESS_ARN,
    notThisTask: 'root attaching AdministratorAccess hands out full power; it is not the documented recovery',
  },
  {
    id: 'billing-iam-access',
    task: 'Activate IAM access to the Billing and Cost Management console',
    events: { 'billingconsole.amazonaws.com': ['SetIAMAccessPreference'] },
  },
  { id: 'tax-invoices', task: 'View certain tax invoices', events: {} },
  {
    id: 'close-account',
    task: 'Close your AWS account',
    events: { 'billingconsole.amazonaws.com': ['CloseAccount'], 'account.amazonaws.com': ['CloseAccount'] },
  },
  { id: 'ri-marketplace-seller', task: 'Register as a seller in the Reserved Instance Marketplace', events: {} },
  {
    id: 's3-mfa-delete',
    task: 'Configure an Amazon S3 bucket to enable MFA (multi-factor authentication) delete',
    events: { 's3.amazonaws.com': ['PutBucketVersioning'] },
    qualifies: (e) => typeof e.request?.mfaDelete === 'string',
    notThisTask: 'it changes versioning without touching MFA delete',
  },
  {
    id: 's3-unlock-bucket-policy',
    task: 'Edit or delete an Amazon S3 bucket policy that denies all principals',
    events: { 's3.amazonaws.com': ['GetBucketPolicy', 'DeleteBucketPolicy'] },
  },
  {
    id: 'govcloud-root-keys',
    task: 'Request AWS GovCloud (US) account root user access keys from AWS Support',
    events: {},
  },
  { id: 'kms-key-recovery', task: 'Recover an unmanageable AWS KMS key by contacting AWS Support', events: {} },
];

/** Signing in is how root reaches any of the tasks; whether it used MFA is judged by ROOT-SIGNIN-MFA. */
export const ROOT_SIGNIN_EVENTS: Record<string, string[]> = {
  'signin.amazonaws.com': ['ConsoleLogin', 'CheckMfa', 'ExternalIdPDirectoryLogin'],
};

/**
 * A root console session's own read-only events. Signed in to the console, root's browser issues read-only calls of
 * its own (the console pages list and describe what they show); CloudTrail marks them `sessionCredentialFromConsole`.
 * They belong to the sign-in they follow (judged by ROOT-SIGNIN-MFA) and are not judged one by one, but only within
 * this long after a successful root console sign-in, and only if read-only. Read-only calls made with root access
 * keys, or long after any sign-in, are root used for everyday work, and fail.
 */
export const ROOT_CONSOLE_SESSION_HOURS = 12;

const index = new Map<string, RootTask>();
for (const t of ROOT_TASKS)
  for (const [source, names] of Object.entries(t.events)) for (const n of names) index.set(`${source}|${n}`, t);

export type RootTaskMatch = { task: RootTask; qualifies: true } | { task: RootTask; qualifies: false; why: string };

/**
 * The root-only task an event is, if any: `qualifies: false` when the event name is a task's but the request is not
 * (an IAM user's access key, AdministratorAccess, versioning without MFA delete). Matching by name alone when the
 * source is missing keeps odd trails usable.
 */
export function rootTaskFor(e: Pick<RootEvent, 'eventSource' | 'eventName' | 'request'>): RootTaskMatch | undefined {
  const task = e.eventSource
    ? index.get(`${e.eventSource}|${e.eventName}`)
    : ROOT_TASKS.find((t) => Object.values(t.events).some((names) => names.includes(e.eventName)));
  if (!task) return undefined;
  const withSource = { ...e, eventSource: e.eventSource || Object.keys(task.events)[0] || '' } as RootEvent;
  if (task.qualifies && !task.qualifies(withSource))
    return { task, qualifies: false, why: task.notThisTask ?? 'the request is not the task AWS lists' };
  return { task, qualifies: true };
}

export function isRootSignInEvent(eventSource: string | undefined, eventName: string): boolean {
  if (!eventSource) return Object.values(ROOT_SIGNIN_EVENTS).some((n) => n.includes(eventName));
  return ROOT_SIGNIN_EVENTS[eventSource]?.includes(eventName) ?? false;
}

/**
 * True when a read-only event belongs to a root console session: made with console credentials, within
 * ROOT_CONSOLE_SESSION_HOURS after a successful root console sign-in among `events`.
 */
export function isConsoleSessionRead(e: RootEvent, events: readonly RootEvent[]): boolean {
  if (e.readOnly !== true || e.fromConsole !== true) return false;
  const t = Date.parse(e.eventTime);
  if (Number.isNaN(t)) return false;
  return events.some((s) => {
    if (s.eventName !== 'ConsoleLogin' || (s.outcome ?? 'Success') !== 'Success') return false;
    const at = Date.parse(s.eventTime);
    return !Number.isNaN(at) && at <= t && t - at <= ROOT_CONSOLE_SESSION_HOURS * 3_600_000;
  });
}
