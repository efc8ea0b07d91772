/**
 * AWS's published "Tasks that require root user credentials"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#root-user-tasks), as data: each task with the
 * CloudTrail event names (eventSource/eventName) that performing it leaves behind. A root event that maps to no task
 * here is root doing something an IAM identity should have done.
 *
 * Tasks AWS lists whose traces are not management events in CloudTrail (tax invoices, GovCloud sign-up, Reserved
 * Instance Marketplace registration) are kept with an empty event list so the catalogue stays complete and a reviewer
 * can see why such use shows up as "not a root-only task".
 */
export interface RootTask {
  id: string;
  task: string;
  /** eventSource -> event names. */
  events: Record<string, string[]>;
}

export const ROOT_TASKS: RootTask[] = [
  {
    id: 'account-settings',
    task: 'Change account settings: account name, root email address, root password, root access keys and MFA',
    events: {
      'signin.amazonaws.com': ['PasswordUpdated', 'PasswordRecoveryRequested', 'PasswordRecoveryCompleted'],
      'account.amazonaws.com': ['PutAccountName', 'StartPrimaryEmailUpdate', 'AcceptPrimaryEmailUpdate'],
      'iam.amazonaws.com': [
        'CreateAccessKey',
        'UpdateAccessKey',
        'DeleteAccessKey',
        'CreateVirtualMFADevice',
        'EnableMFADevice',
        'ResyncMFADevice',
        'DeactivateMFADevice',
        'DeleteVirtualMFADevice',
        'UploadSigningCertificate',
        'DeleteSigningCertificate',
      ],
    },
  },
  {
    id: 'restore-iam-permissions',
    task: 'Restore IAM user permissions when the only IAM administrator revoked their own',
    events: {
      'iam.amazonaws.com': [
        'AttachUserPolicy',
        'PutUserPolicy',
        'AddUserToGroup',
        'AttachGroupPolicy',
        'PutGroupPolicy',
        'AttachRolePolicy',
        'PutRolePolicy',
        'DeleteUserPermissionsBoundary',
        'DeleteRolePermissionsBoundary',
      ],
    },
  },
  {
    id: 'billing-iam-access',
    task: 'Activate IAM access to the Billing and Cost Management console',
    events: { 'billingconsole.amazonaws.com': ['SetIAMAccessPreference'] },
  },
  { id: 'tax-invoices', task: 'View certain tax invoices', events: {} },
  {
    id: 'close-account',
    task: 'Close the AWS account',
    events: { 'billingconsole.amazonaws.com': ['CloseAccount'], 'account.amazonaws.com': ['CloseAccount'] },
  },
  {
    id: 'support-plan',
    task: 'Change or cancel the AWS Support plan',
    events: { 'supportplans.amazonaws.com': ['CreateSupportPlanSchedule', 'UpdateSupportPlan'] },
  },
  { id: 'ri-marketplace-seller', task: 'Register as a seller in the Reserved Instance Marketplace', events: {} },
  {
    id: 's3-mfa-delete',
    task: 'Configure an Amazon S3 bucket to enable MFA delete',
    events: { 's3.amazonaws.com': ['PutBucketVersioning'] },
  },
  {
    id: 's3-unlock-bucket-policy',
    task: 'Edit or delete an Amazon S3 bucket policy that denies all principals',
    events: { 's3.amazonaws.com': ['PutBucketPolicy', 'DeleteBucketPolicy', 'GetBucketPolicy'] },
  },
  {
    id: 'sqs-unlock-queue-policy',
    task: 'Edit or delete an Amazon SQS resource policy that denies all principals',
    events: { 'sqs.amazonaws.com': ['SetQueueAttributes', 'RemovePermission', 'GetQueueAttributes'] },
  },
  { id: 'govcloud-signup', task: 'Sign up for AWS GovCloud (US)', events: {} },
];

/** Signing in is how root reaches any of the tasks; whether it used MFA is judged by ROOT-SIGNIN-MFA. */
export const ROOT_SIGNIN_EVENTS: Record<string, string[]> = {
  'signin.amazonaws.com': ['ConsoleLogin', 'CheckMfa', 'ExternalIdPDirectoryLogin'],
};

const index = new Map<string, RootTask>();
for (const t of ROOT_TASKS)
  for (const [source, names] of Object.entries(t.events)) for (const n of names) index.set(`${source}|${n}`, t);

/** The root-only task an event belongs to. Matching by name alone when the source is missing keeps odd trails usable. */
export function rootTaskFor(eventSource: string | undefined, eventName: string): RootTask | undefined {
  if (eventSource) return index.get(`${eventSource}|${eventName}`);
  return ROOT_TASKS.find((t) => Object.values(t.events).some((names) => names.includes(eventName)));
}

export function isRootSignInEvent(eventSource: string | undefined, eventName: string): boolean {
  if (!eventSource) return Object.values(ROOT_SIGNIN_EVENTS).some((n) => n.includes(eventName));
  return ROOT_SIGNIN_EVENTS[eventSource]?.includes(eventName) ?? false;
}
