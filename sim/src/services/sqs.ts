import { createHash, randomUUID } from 'node:crypto';
import { ApiError } from '../protocols/errors.js';
import type { JsonParams } from '../protocols/json.js';

/**
 * Amazon SQS (standard queues) as the current SDKs speak it: awsJson1_0, `X-Amz-Target: AmazonSQS.<Operation>`,
 * errors as `com.amazonaws.sqs#<Shape>` with the query-compatible `x-amzn-query-error` code. Enough of the service for
 * a hub queue of root events: long polling, visibility timeouts, redelivery, and a dead-letter queue fed by a redrive
 * policy's maxReceiveCount. Queues live in the account of whoever calls (the hub).
 */

const MAX_BODY_BYTES = 262_144;
const MAX_WAIT_SECONDS = 20;
const MAX_VISIBILITY_SECONDS = 43_200;
const NAME_RE = /^[A-Za-z0-9_-]{1,80}$/;
/** Characters SQS accepts in a message body (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what the rule is about
const INVALID_BODY_RE = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const QUEUE_ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'RedrivePolicy',
] as const;
const READ_ONLY_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;
const MESSAGE_SYSTEM_ATTRIBUTES = [
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SentTimestamp',
  'SenderId',
  'DeadLetterQueueSourceArn',
] as const;

/** An SQS error the way the awsQueryCompatible JSON protocol writes it. */
export class SqsError extends ApiError {
  constructor(shape: string, queryCode: string, message: string, status = 400) {
    super(`com.amazonaws.sqs#${shape}`, message, status);
    this.queryError = `${queryCode};Sender`;
  }
  readonly queryError: string;
}

const queueMissing = () =>
  new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
const invalidParameter = (message: string) => new SqsError('InvalidParameterValue', 'InvalidParameterValue', message);

interface Message {
  id: string;
  body: string;
  md5: string;
  sentAt: number;
  /** Epoch ms from which the message can be received (delay or visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** The latest receipt handle; ChangeMessageVisibility needs this one. */
  receipt?: string;
  senderId: string;
  sourceQueueArn?: string;
}

interface Queue {
  name: string;
  accountId: string;
  region: string;
  arn: string;
  attributes: Record<(typeof QUEUE_ATTRIBUTES)[number], string>;
  createdAt: number;
  modifiedAt: number;
  messages: Message[];
  /** Long polls waiting for a message. */
  waiters: Set<() => void>;
}

export interface SqsCaller {
  accountId: string;
  userId: string;
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const epochSeconds = (ms: number) => String(Math.floor(ms / 1000));

function intAttribute(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new SqsError(
      'InvalidAttributeValue',
      'InvalidAttributeValue',
      `Invalid value for the parameter ${name}. Reason: must be between ${min} and ${max}.`,
    );
  return Number(raw);
}

/** Every queue the simulator holds, keyed by account and name. */
export class SqsQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly region = 'us-east-1') {}

  private key = (accountId: string, name: string) => `${accountId}/${name}`;

  /** Queue URLs carry the host the client reached, as AWS's do: `http://host/<account>/<name>`. */
  urlOf(q: Queue, origin: string): string {
    return `${origin}/${q.accountId}/${q.name}`;
  }

  /** Any host is accepted: only the `/<account>/<name>` path identifies the queue. */
  private byUrl(url: string): Queue {
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      throw new SqsError('InvalidAddress', 'InvalidAddress', `The address ${url} is not valid for this endpoint.`);
    }
    const m = /^\/(\d{12})\/([^/]+)$/.exec(path);
    const q = m ? this.queues.get(this.key(m[1]!, m[2]!)) : undefined;
    if (!q) throw queueMissing();
    return q;
  }

  private byArn(arn: string): Queue | undefined {
    for (const q of this.queues.values()) if (q.arn === arn) return q;
    return undefined;
  }

  create(caller: SqsCaller, name: string, attrs: Record<string, string>, now = Date.now()): Queue {
    if (!NAME_RE.test(name))
      throw invalidParameter('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    const attributes: Queue['attributes'] = {
      DelaySeconds: '0',
      MaximumMessageSize: String(MAX_BODY_BYTES),
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '0',
      VisibilityTimeout: '30',
      RedrivePolicy: '',
    };
    for (const [k, v] of Object.entries(attrs)) {
      if (!(QUEUE_ATTRIBUTES as readonly string[]).includes(k))
        throw new SqsError('InvalidAttributeName', 'InvalidAttributeName', `Unknown Attribute ${k}.`);
      attributes[k as keyof Queue['attributes']] = this.validAttribute(k, v);
    }
    const existing = this.queues.get(this.key(caller.accountId, name));
    if (existing) {
      // CreateQueue is idempotent only when the attributes asked for are the ones the queue has.
      const differs = Object.entries(attrs).some(([k, v]) => existing.attributes[k as keyof Queue['attributes']] !== v);
      if (differs)
        throw new SqsError(
          'QueueNameExists',
          'QueueAlreadyExists',
          'A queue already exists with the same name and a different value for attribute(s)',
        );
      return existing;
    }
    const q: Queue = {
      name,
      accountId: caller.accountId,
      region: this.region,
      arn: `arn:aws:sqs:${this.region}:${caller.accountId}:${name}`,
      attributes,
      createdAt: now,
      modifiedAt: now,
      messages: [],
      waiters: new Set(),
    };
    this.queues.set(this.key(caller.accountId, name), q);
    return q;
  }

  private validAttribute(name: string, value: string): string {
    if (name === 'VisibilityTimeout') intAttribute(name, value, 0, MAX_VISIBILITY_SECONDS);
    else if (name === 'DelaySeconds') intAttribute(name, value, 0, 900);
    else if (name === 'ReceiveMessageWaitTimeSeconds') intAttribute(name, value, 0, MAX_WAIT_SECONDS);
    else if (name === 'MessageRetentionPeriod') intAttribute(name, value, 60, 1_209_600);
    else if (name === 'MaximumMessageSize') intAttribute(name, value, 1024, MAX_BODY_BYTES);
    else if (name === 'RedrivePolicy') {
      let p: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
      try {
        p = JSON.parse(value) as typeof p;
      } catch {
        throw new SqsError(
          'InvalidAttributeValue',
          'InvalidAttributeValue',
          'Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.',
        );
      }
      const count = Number(p.maxReceiveCount);
      if (typeof p.deadLetterTargetArn !== 'string' || !Number.isInteger(count) || count < 1 || count > 1000)
        throw new SqsError(
          'InvalidAttributeValue',
          'InvalidAttributeValue',
          'Invalid value for the parameter RedrivePolicy. Reason: Redrive policy needs deadLetterTargetArn and a maxReceiveCount from 1 to 1000.',
        );
      if (!this.byArn(p.deadLetterTargetArn))
        throw new SqsError(
          'InvalidAttributeValue',
          'InvalidAttributeValue',
          'Value {"deadLetterTargetArn":...} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.',
        );
    }
    return value;
  }

  queueUrl(caller: SqsCaller, name: string, ownerAccountId?: string): Queue {
    const q = this.queues.get(this.key(ownerAccountId ?? caller.accountId, name));
    if (!q) throw queueMissing();
    return q;
  }

  send(caller: SqsCaller, url: string, body: string, delaySeconds?: number, now = Date.now()) {
    const q = this.byUrl(url);
    if (body.length === 0) throw invalidParameter('The request must contain the parameter MessageBody.');
    if (Buffer.byteLength(body, 'utf8') > Number(q.attributes.MaximumMessageSize))
      throw invalidParameter(
        `One or more parameters are invalid. Reason: Message must be shorter than ${q.attributes.MaximumMessageSize} bytes.`,
      );
    if (INVALID_BODY_RE.test(body))
      throw new SqsError(
        'InvalidMessageContents',
        'InvalidMessageContents',
        'Invalid binary character in the message body.',
      );
    const delay = delaySeconds ?? Number(q.attributes.DelaySeconds);
    const m: Message = {
      id: randomUUID(),
      body,
      md5: md5(body),
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
      senderId: caller.userId,
    };
    q.messages.push(m);
    this.wake(q);
    return { MessageId: m.id, MD5OfMessageBody: m.md5 };
  }

  private wake(q: Queue) {
    for (const w of q.waiters) w();
  }

  /**
   * Takes up to `max` visible messages, making each invisible for the visibility timeout. A message already received
   * maxReceiveCount times moves to the dead-letter queue instead, as SQS does on the receive after the last one.
   */
  private take(q: Queue, max: number, visibilitySeconds: number, now: number): Message[] {
    const out: Message[] = [];
    const redrive = q.attributes.RedrivePolicy
      ? (JSON.parse(q.attributes.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number })
      : undefined;
    const dlq = redrive ? this.byArn(redrive.deadLetterTargetArn) : undefined;
    for (let i = 0; i < q.messages.length && out.length < max; ) {
      const m = q.messages[i]!;
      if (now - m.sentAt > Number(q.attributes.MessageRetentionPeriod) * 1000) {
        q.messages.splice(i, 1);
        continue;
      }
      if (m.visibleAt > now) {
        i++;
        continue;
      }
      if (redrive && dlq && m.receiveCount >= Number(redrive.maxReceiveCount)) {
        q.messages.splice(i, 1);
        dlq.messages.push({ ...m, visibleAt: now, receipt: undefined, sourceQueueArn: q.arn });
        this.wake(dlq);
        continue;
      }
      m.receiveCount++;
      m.firstReceivedAt ??= now;
      m.visibleAt = now + visibilitySeconds * 1000;
      m.receipt = Buffer.from(JSON.stringify({ q: q.arn, m: m.id, n: randomUUID() })).toString('base64url');
      out.push(m);
      i++;
    }
    return out;
  }

  async receive(
    url: string,
    opts: { max: number; visibilitySeconds?: number; waitSeconds?: number; attributeNames: string[] },
    signal?: AbortSignal,
  ) {
    const q = this.byUrl(url);
    const visibility = opts.visibilitySeconds ?? Number(q.attributes.VisibilityTimeout);
    const wait = opts.waitSeconds ?? Number(q.attributes.ReceiveMessageWaitTimeSeconds);
    const deadline = Date.now() + wait * 1000;
    let got = this.take(q, opts.max, visibility, Date.now());
    while (got.length === 0 && Date.now() < deadline && !signal?.aborted) {
      // Sleep until a send wakes us, the next invisible message becomes visible again, or the poll ends.
      const nextVisible = Math.min(...q.messages.map((m) => m.visibleAt).filter((t) => t > Date.now()), deadline);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          q.waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(1, nextVisible - Date.now()));
        timer.unref();
        q.waiters.add(done);
        signal?.addEventListener('abort', done);
      });
      got = this.take(q, opts.max, visibility, Date.now());
    }
    const all = opts.attributeNames.includes('All');
    const wanted = MESSAGE_SYSTEM_ATTRIBUTES.filter((a) => all || opts.attributeNames.includes(a));
    return {
      Messages: got.map((m) => {
        const attrs: Record<string, string> = {
          ApproximateReceiveCount: String(m.receiveCount),
          ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
          SentTimestamp: String(m.sentAt),
          SenderId: m.senderId,
          ...(m.sourceQueueArn ? { DeadLetterQueueSourceArn: m.sourceQueueArn } : {}),
        };
        const picked = Object.fromEntries(wanted.filter((a) => a in attrs).map((a) => [a, attrs[a]!]));
        return {
          MessageId: m.id,
          ReceiptHandle: m.receipt!,
          MD5OfBody: m.md5,
          Body: m.body,
          ...(wanted.length ? { Attributes: picked } : {}),
        };
      }),
    };
  }

  private byReceipt(q: Queue, receipt: string): { index: number; message?: Message } {
    let h: { q?: unknown; m?: unknown };
    try {
      h = JSON.parse(Buffer.from(receipt, 'base64url').toString('utf8')) as typeof h;
    } catch {
      h = {};
    }
    if (typeof h.m !== 'string' || h.q !== q.arn)
      throw new SqsError(
        'ReceiptHandleIsInvalid',
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${receipt.slice(0, 64)}" is not a valid receipt handle.`,
      );
    const index = q.messages.findIndex((m) => m.id === h.m);
    return { index, ...(index >= 0 ? { message: q.messages[index] } : {}) };
  }

  /** Deleting a message that is already gone succeeds, as it does in SQS. */
  delete(url: string, receipt: string): void {
    const q = this.byUrl(url);
    const { index } = this.byReceipt(q, receipt);
    if (index >= 0) q.messages.splice(index, 1);
  }

  changeVisibility(url: string, receipt: string, seconds: number, now = Date.now()): void {
    const q = this.byUrl(url);
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_SECONDS)
      throw invalidParameter(
        `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: must be between 0 and 43200.`,
      );
    const { message } = this.byReceipt(q, receipt);
    if (!message || message.receipt !== receipt || message.visibleAt <= now)
      throw new SqsError(
        'MessageNotInflight',
        'AWS.SimpleQueueService.MessageNotInflight',
        'Message is not in flight.',
      );
    message.visibleAt = now + seconds * 1000;
    if (seconds === 0) this.wake(q);
  }

  attributes(url: string, names: string[], now = Date.now()): Record<string, string> {
    const q = this.byUrl(url);
    const known = [...QUEUE_ATTRIBUTES, ...READ_ONLY_ATTRIBUTES] as readonly string[];
    for (const n of names)
      if (n !== 'All' && !known.includes(n))
        throw new SqsError('InvalidAttributeName', 'InvalidAttributeName', `Unknown Attribute ${n}.`);
    const values: Record<string, string> = {
      ...Object.fromEntries(Object.entries(q.attributes).filter(([, v]) => v !== '')),
      ApproximateNumberOfMessages: String(q.messages.filter((m) => m.visibleAt <= now).length),
      ApproximateNumberOfMessagesNotVisible: String(
        q.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length,
      ),
      ApproximateNumberOfMessagesDelayed: String(
        q.messages.filter((m) => m.visibleAt > now && m.receiveCount === 0).length,
      ),
      CreatedTimestamp: epochSeconds(q.createdAt),
      LastModifiedTimestamp: epochSeconds(q.modifiedAt),
      QueueArn: q.arn,
    };
    const all = names.includes('All');
    return Object.fromEntries(Object.entries(values).filter(([k]) => all || names.includes(k)));
  }
}

// ---------------------------------------------------------------- the JSON operations

export interface SqsCallContext {
  queues: SqsQueues;
  caller: SqsCaller;
  /** `http://host:port` the client reached, for the queue URLs we hand out. */
  origin: string;
  signal?: AbortSignal;
}

const stringMap = (p: JsonParams, name: string): Record<string, string> => {
  const o = p.object(name) ?? {};
  for (const [k, v] of Object.entries(o))
    if (typeof v !== 'string') throw invalidParameter(`Value for attribute ${k} must be a string.`);
  return o as Record<string, string>;
};

const names = (p: JsonParams, member: string) => p.array(member).map(String);

export const SQS_OPERATIONS: Record<string, (ctx: SqsCallContext, p: JsonParams) => unknown> = {
  CreateQueue: (ctx, p) => ({
    QueueUrl: ctx.queues.urlOf(
      ctx.queues.create(ctx.caller, p.required('QueueName'), stringMap(p, 'Attributes')),
      ctx.origin,
    ),
  }),
  GetQueueUrl: (ctx, p) => ({
    QueueUrl: ctx.queues.urlOf(
      ctx.queues.queueUrl(ctx.caller, p.required('QueueName'), p.str('QueueOwnerAWSAccountId')),
      ctx.origin,
    ),
  }),
  SendMessage: (ctx, p) => {
    const delay =
      p.body.DelaySeconds === undefined
        ? undefined
        : p.int('DelaySeconds', 0, 0, 900, 'com.amazonaws.sqs#InvalidParameterValue');
    return ctx.queues.send(ctx.caller, p.required('QueueUrl'), p.str('MessageBody') ?? '', delay);
  },
  ReceiveMessage: (ctx, p) => {
    const bad = 'com.amazonaws.sqs#InvalidParameterValue';
    const max = p.int('MaxNumberOfMessages', 1, 1, 10, bad);
    const wait =
      p.body.WaitTimeSeconds === undefined ? undefined : p.int('WaitTimeSeconds', 0, 0, MAX_WAIT_SECONDS, bad);
    const vis =
      p.body.VisibilityTimeout === undefined
        ? undefined
        : p.int('VisibilityTimeout', 30, 0, MAX_VISIBILITY_SECONDS, bad);
    return ctx.queues.receive(
      p.required('QueueUrl'),
      {
        max,
        ...(wait !== undefined ? { waitSeconds: wait } : {}),
        ...(vis !== undefined ? { visibilitySeconds: vis } : {}),
        attributeNames: [...names(p, 'AttributeNames'), ...names(p, 'MessageSystemAttributeNames')],
      },
      ctx.signal,
    );
  },
  DeleteMessage: (ctx, p) => {
    ctx.queues.delete(p.required('QueueUrl'), p.required('ReceiptHandle'));
    return {};
  },
  ChangeMessageVisibility: (ctx, p) => {
    const v = p.body.VisibilityTimeout;
    if (typeof v !== 'number') throw invalidParameter('The request must contain the parameter VisibilityTimeout.');
    ctx.queues.changeVisibility(p.required('QueueUrl'), p.required('ReceiptHandle'), v);
    return {};
  },
  GetQueueAttributes: (ctx, p) => ({
    Attributes: ctx.queues.attributes(p.required('QueueUrl'), names(p, 'AttributeNames')),
  }),
};
