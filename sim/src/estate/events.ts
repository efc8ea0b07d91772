import type { Rng } from '../rand.js';
import type { SimEvent } from './types.js';

/**
 * CloudTrail records shaped the way CloudTrail writes them (eventVersion 1.09+), so that code reading
 * `CloudTrailEvent` sees the same fields it would see from a real trail.
 */

const CONSOLE_UA = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
];
const CLI_UA = [
  'aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#ec2.run-instances',
  'Boto3/1.35.70 md/Botocore#1.35.70 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.70',
  'aws-sdk-js/3.700.0 ua/2.1 os/linux#6.8.0 lang/js md/nodejs#20.18.0 api/ec2#3.700.0',
];

export interface Actor {
  kind: 'root' | 'user' | 'role';
  accountId: string;
  /** IAM user name, or role name for an assumed role. */
  name?: string;
  principalId?: string;
  sessionName?: string;
}

function identity(a: Actor, rng: Rng, at: Date, mfa: boolean | undefined, withKey: boolean): Record<string, unknown> {
  const accessKeyId = withKey ? `ASIA${rng.id(16)}` : '';
  const attributes = {
    creationDate: new Date(at.getTime() - rng.int(60, 3_000) * 1000).toISOString(),
    mfaAuthenticated: String(!!mfa),
  };
  if (a.kind === 'root')
    return {
      type: 'Root',
      principalId: a.accountId,
      arn: `arn:aws:iam::${a.accountId}:root`,
      accountId: a.accountId,
      accessKeyId,
      ...(withKey ? { sessionContext: { sessionIssuer: {}, webIdFederationData: {}, attributes } } : {}),
    };
  if (a.kind === 'user')
    return {
      type: 'IAMUser',
      principalId: a.principalId,
      arn: `arn:aws:iam::${a.accountId}:user/${a.name}`,
      accountId: a.accountId,
      accessKeyId,
      userName: a.name,
      ...(withKey ? { sessionContext: { sessionIssuer: {}, webIdFederationData: {}, attributes } } : {}),
    };
  return {
    type: 'AssumedRole',
    principalId: `${a.principalId}:${a.sessionName}`,
    arn: `arn:aws:sts::${a.accountId}:assumed-role/${a.name}/${a.sessionName}`,
    accountId: a.accountId,
    accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: a.principalId,
        arn: `arn:aws:iam::${a.accountId}:role/${a.name}`,
        accountId: a.accountId,
        userName: a.name,
      },
      webIdFederationData: {},
      attributes,
    },
  };
}

const usernameOf = (a: Actor) =>
  a.kind === 'root' ? 'root' : a.kind === 'user' ? (a.name ?? '') : (a.sessionName ?? '');

export function consoleLogin(rng: Rng, actor: Actor, at: Date, opts: { mfaUsed: boolean; success: boolean }): SimEvent {
  const eventId = rng.uuid();
  const record: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity: identity(actor, rng, at, undefined, false),
    eventTime: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: 'us-east-1',
    sourceIPAddress: rng.ip(),
    userAgent: rng.pick(CONSOLE_UA),
    requestParameters: null,
    responseElements: { ConsoleLogin: opts.success ? 'Success' : 'Failure' },
    additionalEventData: {
      LoginTo:
        'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1',
      MobileVersion: 'No',
      MFAUsed: opts.mfaUsed ? 'Yes' : 'No',
      ...(opts.mfaUsed
        ? { MFAIdentifier: `arn:aws:iam::${actor.accountId}:u2f/root-account-mfa-device/${rng.id(26)}` }
        : {}),
    },
    ...(opts.success ? {} : { errorMessage: 'Failed authentication' }),
    eventID: eventId,
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
    managementEvent: true,
    recipientAccountId: actor.accountId,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: 'signin.aws.amazon.com',
    },
  };
  return {
    eventId,
    eventName: 'ConsoleLogin',
    eventSource: 'signin.amazonaws.com',
    eventTime: at,
    region: 'us-east-1',
    username: usernameOf(actor),
    readOnly: false,
    resources: [],
    record,
  };
}

export interface ApiCallSpec {
  eventSource: string;
  eventName: string;
  readOnly: boolean;
  /** Where the call landed; unset means us-east-1, where CloudTrail records global services (IAM, STS global, ...). */
  region?: string;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  resources?: { ResourceType: string; ResourceName: string }[];
  errorCode?: string;
  errorMessage?: string;
}

export function apiCall(rng: Rng, actor: Actor, at: Date, spec: ApiCallSpec, opts: { mfa: boolean }): SimEvent {
  const eventId = rng.uuid();
  const ident = identity(actor, rng, at, opts.mfa, true);
  const record: Record<string, unknown> = {
    eventVersion: '1.10',
    userIdentity: ident,
    eventTime: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: spec.eventSource,
    eventName: spec.eventName,
    awsRegion: spec.region ?? 'us-east-1',
    sourceIPAddress: rng.ip(),
    userAgent: rng.pick(CLI_UA),
    ...(spec.errorCode ? { errorCode: spec.errorCode, errorMessage: spec.errorMessage ?? '' } : {}),
    requestParameters: spec.requestParameters ?? null,
    responseElements: spec.responseElements ?? null,
    requestID: rng.uuid(),
    eventID: eventId,
    readOnly: spec.readOnly,
    ...(spec.resources?.length
      ? {
          resources: spec.resources.map((r) => ({
            accountId: actor.accountId,
            type: r.ResourceType,
            ARN: r.ResourceName,
          })),
        }
      : {}),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: actor.accountId,
    eventCategory: 'Management',
  };
  return {
    eventId,
    eventName: spec.eventName,
    eventSource: spec.eventSource,
    eventTime: at,
    region: spec.region ?? 'us-east-1',
    username: usernameOf(actor),
    readOnly: spec.readOnly,
    accessKeyId: ident.accessKeyId as string,
    resources: spec.resources ?? [],
    record,
  };
}

/** Root API calls that are not on AWS's list of tasks that need root: evidence of root used for day-to-day work. */
export function nonRootTask(rng: Rng, accountId: string, regions?: readonly string[]): ApiCallSpec {
  const region = rng.pick(regions ?? ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-southeast-2']);
  // Given regions, only regional calls: IAM is global and CloudTrail records it in us-east-1.
  const choice = regions ? rng.pick([0, 1, 3]) : rng.int(0, 3);
  if (choice === 0) {
    const instanceId = `i-0${rng.hex(16)}`;
    return {
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      readOnly: false,
      region,
      requestParameters: {
        instancesSet: { items: [{ imageId: `ami-0${rng.hex(16)}`, minCount: 1, maxCount: 1 }] },
        instanceType: rng.pick(['t3.micro', 'm6i.large', 'c7g.xlarge']),
      },
      responseElements: { instancesSet: { items: [{ instanceId, instanceState: { code: 0, name: 'pending' } }] } },
      resources: [{ ResourceType: 'AWS::EC2::Instance', ResourceName: instanceId }],
    };
  }
  if (choice === 1) {
    const bucket = `backup-${rng.hex(8)}`;
    return {
      eventSource: 's3.amazonaws.com',
      eventName: 'CreateBucket',
      readOnly: false,
      region,
      requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${region}.amazonaws.com` },
      resources: [{ ResourceType: 'AWS::S3::Bucket', ResourceName: bucket }],
    };
  }
  if (choice === 2) {
    const userName = `temp-${rng.hex(6)}`;
    return {
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      readOnly: false,
      requestParameters: { userName },
      responseElements: {
        user: { userName, path: '/', arn: `arn:aws:iam::${accountId}:user/${userName}`, userId: `AIDA${rng.id(17)}` },
      },
      resources: [{ ResourceType: 'AWS::IAM::User', ResourceName: userName }],
    };
  }
  return {
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    readOnly: true,
    region,
    requestParameters: { instancesSet: {}, filterSet: {} },
  };
}
