import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from './server.js';
import { HUB_CREDS } from './testing/clients.js';

let sim: Simulator;
let sqs: SQSClient;

beforeAll(async () => {
  sim = await startSimulator({ partners: 3, seed: 7, hubQueueMaxReceiveCount: 2 });
  sqs = new SQSClient({ region: 'us-east-1', endpoint: sim.url, credentials: HUB_CREDS, maxAttempts: 1 });
});
afterAll(async () => {
  sqs?.destroy();
  await sim?.close();
});

const fresh = async (name: string, attrs: Record<string, string> = {}) =>
  (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attrs }))).QueueUrl!;

describe('SQS over awsJson1_0 with the real SDK client', () => {
  it('creates queues idempotently and finds them by name; a missing queue is QueueDoesNotExist', async () => {
    const url = await fresh('alpha', { VisibilityTimeout: '5' });
    expect(url).toBe(`${sim.url}/${sim.estate.settings.hubAccountId}/alpha`);
    expect(await fresh('alpha', { VisibilityTimeout: '5' })).toBe(url);
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: 'alpha', Attributes: { VisibilityTimeout: '9' } })),
    ).rejects.toMatchObject({ name: 'QueueNameExists' });
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'alpha' }))).QueueUrl).toBe(url);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(sqs.send(new CreateQueueCommand({ QueueName: 'bad name!' }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('sends and receives with a valid MD5 (the SDK checks it), hides a received message and redelivers it after the visibility timeout', async () => {
    const url = await fresh('vis', { VisibilityTimeout: '1' });
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello ☃' }));
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['All'] }));
    expect(first.Messages?.[0]).toMatchObject({ Body: 'hello ☃', Attributes: { ApproximateReceiveCount: '1' } });
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? []).toHaveLength(0);
    const again = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        WaitTimeSeconds: 3,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(again.Messages?.[0]).toMatchObject({
      MessageId: sent.MessageId,
      Attributes: { ApproximateReceiveCount: '2' },
    });
    // The first receipt handle is stale: the message is not in flight under it any more.
    await expect(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: first.Messages![0]!.ReceiptHandle!,
          VisibilityTimeout: 0,
        }),
      ),
    ).rejects.toMatchObject({ name: 'MessageNotInflight' });
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: again.Messages![0]!.ReceiptHandle!,
        VisibilityTimeout: 0,
      }),
    );
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third.Messages![0]!.ReceiptHandle! }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(attrs.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      VisibilityTimeout: '1',
    });
    await expect(
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })),
    ).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);
  });

  it('long-polls: a receive waiting on an empty queue returns as soon as a message arrives', async () => {
    const url = await fresh('longpoll');
    const t0 = Date.now();
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
    setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'late' })), 300);
    const got = await waiting;
    expect(got.Messages?.[0]?.Body).toBe('late');
    expect(Date.now() - t0).toBeLessThan(5_000);
    const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    expect(empty.Messages ?? []).toHaveLength(0);
  });

  it('moves a message received maxReceiveCount times to the dead-letter queue', async () => {
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: sim.hubQueueUrl, MessageBody: 'poison' }));
    for (let i = 0; i < 2; i++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: sim.hubQueueUrl, VisibilityTimeout: 0 }));
      expect(r.Messages?.[0]?.MessageId).toBe(sent.MessageId);
    }
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: sim.hubQueueUrl }))).Messages ?? []).toHaveLength(0);
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: sim.hubDeadLetterQueueUrl, MessageSystemAttributeNames: ['All'] }),
    );
    expect(dead.Messages?.[0]).toMatchObject({ MessageId: sent.MessageId, Body: 'poison' });
    expect(dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn).toMatch(/:payerguard-root-events$/);
    await sqs.send(
      new DeleteMessageCommand({
        QueueUrl: sim.hubDeadLetterQueueUrl,
        ReceiptHandle: dead.Messages![0]!.ReceiptHandle!,
      }),
    );
  });
});

describe('POST /_sim/root-activity', () => {
  const post = (body: unknown) =>
    fetch(`${sim.url}/_sim/root-activity`, { method: 'POST', body: JSON.stringify(body) });

  it('delivers a root console sign-in to the hub queue exactly as EventBridge does', async () => {
    const accountId = sim.registry()[0]!.payerAccountId;
    const r = await post({ accountId, eventName: 'ConsoleLogin', region: 'us-east-1', mfa: false });
    expect(r.status).toBe(201);
    const out = (await r.json()) as { eventId: string; queueUrl: string };
    expect(out.queueUrl).toBe(sim.hubQueueUrl);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: sim.hubQueueUrl, WaitTimeSeconds: 2 }));
    const event = JSON.parse(got.Messages![0]!.Body!);
    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'AWS Console Sign In via CloudTrail',
      source: 'aws.signin',
      account: accountId,
      region: 'us-east-1',
      detail: {
        eventID: out.eventId,
        eventName: 'ConsoleLogin',
        eventSource: 'signin.amazonaws.com',
        userIdentity: { type: 'Root', accountId },
        additionalEventData: { MFAUsed: 'No' },
        responseElements: { ConsoleLogin: 'Success' },
      },
    });
    expect(Date.parse(event.time)).not.toBeNaN();
    // CloudTrail has the same event, so a later collection sees the same eventID.
    expect(sim.estate.account(accountId)!.events.some((e) => e.eventId === out.eventId)).toBe(true);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: sim.hubQueueUrl, ReceiptHandle: got.Messages![0]!.ReceiptHandle! }),
    );
  });

  it('delivers a root API call with the service as source, and refuses what it cannot build', async () => {
    const accountId = sim.registry()[1]!.payerAccountId;
    const r = await post({ accountId, eventName: 'RunInstances', region: 'eu-west-1', mfa: true });
    expect(r.status).toBe(201);
    const { event } = (await r.json()) as { event: Record<string, unknown> };
    expect(event).toMatchObject({
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.ec2',
      region: 'eu-west-1',
      detail: {
        eventName: 'RunInstances',
        awsRegion: 'eu-west-1',
        userIdentity: { type: 'Root', sessionContext: { attributes: { mfaAuthenticated: 'true' } } },
      },
    });
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: sim.hubQueueUrl, WaitTimeSeconds: 2 }));
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: sim.hubQueueUrl, ReceiptHandle: got.Messages![0]!.ReceiptHandle! }),
    );
    expect((await post({ accountId: '12', eventName: 'ConsoleLogin' })).status).toBe(400);
    expect((await post({ accountId, eventName: 'FrobnicateWidgets' })).status).toBe(400);
    expect((await post({ accountId: '000000000000', eventName: 'ConsoleLogin' })).status).toBe(404);
    expect((await fetch(`${sim.url}/_sim/root-activity`, { method: 'POST', body: '{' })).status).toBe(400);
  });
});
