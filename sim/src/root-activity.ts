import { randomUUID } from 'node:crypto';
import { ROOT_TASKS } from '@payerguard/core/data/root-tasks';
import { type Actor, apiCall, consoleLogin } from './estate/events.js';
import type { SimEvent } from './estate/types.js';
import { Rng } from './rand.js';

/**
 * A root event as the root-activity monitor delivers it: the spoke's EventBridge rule matches the CloudTrail record
 * (userIdentity.type Root) and forwards it to the hub bus, whose rule targets the hub's SQS queue. The queue message
 * body is the EventBridge event itself: the envelope, with the CloudTrail record as `detail`.
 */

export interface RootActivitySpec {
  accountId: string;
  eventName: string;
  region?: string;
  mfa?: boolean;
  /** Needed only for an API call whose service the simulator cannot infer from the event name. */
  eventSource?: string;
  /** Console sign-ins: false records a failed sign-in. */
  success?: boolean;
}

export class RootActivityError extends Error {}

/** Event names we know the service of, besides AWS's root-only tasks. */
const KNOWN_SOURCES: Record<string, string> = {
  ConsoleLogin: 'signin.amazonaws.com',
  CheckMfa: 'signin.amazonaws.com',
  RunInstances: 'ec2.amazonaws.com',
  DescribeInstances: 'ec2.amazonaws.com',
  TerminateInstances: 'ec2.amazonaws.com',
  CreateBucket: 's3.amazonaws.com',
  PutBucketPolicy: 's3.amazonaws.com',
  CreateUser: 'iam.amazonaws.com',
  CreateRole: 'iam.amazonaws.com',
  StopLogging: 'cloudtrail.amazonaws.com',
  DeleteTrail: 'cloudtrail.amazonaws.com',
  DeleteRule: 'events.amazonaws.com',
  DisableRule: 'events.amazonaws.com',
};

function sourceOf(eventName: string): string | undefined {
  if (KNOWN_SOURCES[eventName]) return KNOWN_SOURCES[eventName];
  for (const t of ROOT_TASKS)
    for (const [source, names] of Object.entries(t.events)) if (names.includes(eventName)) return source;
  return undefined;
}

export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

let counter = 0;

/**
 * Builds the CloudTrail record and its EventBridge envelope. Throws RootActivityError for a spec the simulator cannot
 * turn into an event.
 */
export function rootActivityEvent(
  spec: RootActivitySpec,
  now = new Date(),
): { cloudtrail: SimEvent; event: EventBridgeEvent } {
  if (typeof spec.accountId !== 'string' || !/^\d{12}$/.test(spec.accountId))
    throw new RootActivityError('accountId must be a 12-digit AWS account id');
  if (typeof spec.eventName !== 'string' || !/^[A-Za-z][A-Za-z0-9]{1,127}$/.test(spec.eventName))
    throw new RootActivityError('eventName must be a CloudTrail event name such as ConsoleLogin or RunInstances');
  const region = spec.region ?? 'us-east-1';
  if (typeof region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))
    throw new RootActivityError(`region must be an AWS region such as us-east-1, got ${JSON.stringify(spec.region)}`);
  if (spec.mfa !== undefined && typeof spec.mfa !== 'boolean') throw new RootActivityError('mfa must be true or false');
  const eventSource = spec.eventSource ?? sourceOf(spec.eventName);
  if (!eventSource || !/^[a-z0-9-]+\.amazonaws\.com$/.test(eventSource))
    throw new RootActivityError(
      `no known service for ${spec.eventName}: give eventSource (for example "ec2.amazonaws.com")`,
    );
  const rng = new Rng(Date.now(), `live:${spec.accountId}:${counter++}`);
  const actor: Actor = { kind: 'root', accountId: spec.accountId };
  const mfa = spec.mfa ?? false;
  const signIn = eventSource === 'signin.amazonaws.com';
  const cloudtrail = signIn
    ? consoleLogin(rng, actor, now, { mfaUsed: mfa, success: spec.success ?? true })
    : apiCall(rng, actor, now, { eventSource, eventName: spec.eventName, readOnly: false, region }, { mfa });
  if (signIn) cloudtrail.eventName = spec.eventName;
  // Event ids must never repeat across simulator restarts: the product dedupes on them.
  const eventId = randomUUID();
  cloudtrail.eventId = eventId;
  cloudtrail.record = { ...cloudtrail.record, eventID: eventId, eventName: spec.eventName, awsRegion: region };
  const event: EventBridgeEvent = {
    version: '0',
    id: randomUUID(),
    'detail-type': signIn ? 'AWS Console Sign In via CloudTrail' : 'AWS API Call via CloudTrail',
    source: `aws.${eventSource.replace('.amazonaws.com', '')}`,
    account: spec.accountId,
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [],
    detail: cloudtrail.record,
  };
  return { cloudtrail, event };
}
