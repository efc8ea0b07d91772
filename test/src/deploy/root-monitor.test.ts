import { defaultSettings } from '@payerguard/core';
import { describe, expect, it } from 'vitest';
import { loadTemplate, RenderError, render } from './cloudformation.js';

const HUB = '111111111111';
const PAYER = '222222222222';
const ORG = 'o-exampleorg1';
const ORG2 = 'o-secondorg22';

type Json = Record<string, unknown>;
const hub = render(loadTemplate('root-monitor-hub.yaml'), {
  parameters: { OrganizationIds: `${ORG},${ORG2}`, WorkerRoleArn: `arn:aws:iam::${HUB}:role/PayerGuardHub` },
  accountId: HUB,
  region: 'us-east-1',
  stackName: 'payerguard-hub',
});
const busArn = hub.Outputs?.HubEventBusArn?.Value as string;
const spoke = render(loadTemplate('root-monitor-spoke.yaml'), {
  parameters: { HubEventBusArn: busArn },
  accountId: PAYER,
  region: 'eu-central-1',
});
const props = (t: typeof hub, id: string) => t.Resources[id]?.Properties as Json;

/** EventBridge content matching for the plain value lists our patterns use: every field must hold one listed value. */
function matches(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.includes(event);
  if (!pattern || typeof pattern !== 'object') return false;
  if (!event || typeof event !== 'object') return false;
  return Object.entries(pattern).every(([k, p]) => matches(p, (event as Json)[k]));
}

/** Events exactly as EventBridge delivers CloudTrail records. */
const envelope = (detailType: string, identityType: string, extra: Json = {}) => ({
  version: '0',
  id: 'b5e7c2a1-0000-4000-8000-000000000000',
  'detail-type': detailType,
  source: detailType.includes('Sign In') ? 'aws.signin' : 'aws.iam',
  account: PAYER,
  time: '2026-12-03T07:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '1.08', userIdentity: { type: identityType, accountId: PAYER }, ...extra },
});

describe('deploy/root-monitor-spoke.yaml', () => {
  const rule = props(spoke, 'RootActivityRule');
  const role = props(spoke, 'DeliveryRole');

  it('is the rule the ROOT-MONITOR-RULE control looks for, enabled, on the default bus', () => {
    expect(rule.Name).toBe(defaultSettings().protectedResources.monitorRuleName);
    expect(rule.State).toBe('ENABLED');
    expect(rule.EventBusName).toBe('default');
  });

  it('matches root console sign-ins and root API calls, and nothing done by anyone else', () => {
    const pattern = rule.EventPattern;
    expect(
      matches(pattern, envelope('AWS Console Sign In via CloudTrail', 'Root', { eventName: 'ConsoleLogin' })),
    ).toBe(true);
    expect(matches(pattern, envelope('AWS API Call via CloudTrail', 'Root', { eventName: 'CreateAccessKey' }))).toBe(
      true,
    );
    expect(matches(pattern, envelope('AWS Console Sign In via CloudTrail', 'IAMUser'))).toBe(false);
    expect(matches(pattern, envelope('AWS API Call via CloudTrail', 'AssumedRole'))).toBe(false);
    expect(matches(pattern, envelope('EC2 Instance State-change Notification', 'Root'))).toBe(false);
  });

  it("forwards to the hub's bus through a delivery role that can do nothing else", () => {
    expect(rule.Targets).toEqual([
      { Id: 'DistributorHubBus', Arn: busArn, RoleArn: spoke.Outputs?.DeliveryRoleArn?.Value },
    ]);
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': PAYER } },
        },
      ],
    });
    const statements = (role.Policies as { PolicyDocument: { Statement: Json[] } }[]).flatMap(
      (p) => p.PolicyDocument.Statement,
    );
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: busArn }]);
    // Under the distributor path, which the permissions boundary protects from partner administrators.
    expect(role.Path).toBe(defaultSettings().distributorPrincipals.paths[0]);
    expect(role.RoleName).toBeUndefined(); // one stack per region: IAM names are global
  });

  it('refuses a hub bus parameter that is not an event bus ARN', () => {
    expect(() =>
      render(loadTemplate('root-monitor-spoke.yaml'), {
        parameters: { HubEventBusArn: 'arn:aws:sqs:us-east-1:111111111111:queue' },
        accountId: PAYER,
        region: 'us-east-1',
      }),
    ).toThrow(RenderError);
  });
});

describe('deploy/root-monitor-hub.yaml', () => {
  it("admits PutEvents from the partners' organizations' accounts only (aws:PrincipalOrgID)", () => {
    const p = props(hub, 'HubBusPolicy');
    expect(p.EventBusName).toBe('payerguard-root-activity');
    expect(p.Statement).toEqual({
      Effect: 'Allow',
      Principal: '*',
      Action: 'events:PutEvents',
      Resource: busArn,
      Condition: { StringEquals: { 'aws:PrincipalOrgID': [ORG, ORG2] } },
    });
  });

  it('routes root events from the bus to the queue, with a dead-letter queue for undeliverable and unhandled ones', () => {
    const queueArn = hub.Outputs?.RootEventsQueueArn?.Value;
    const dlqArn = `arn:aws:sqs:us-east-1:${HUB}:payerguard-hub-RootEventsDeadLetterQueue-GENERATED`;
    const rule = props(hub, 'RootEventsRule');
    expect(rule.EventBusName).toBe('payerguard-root-activity');
    expect(rule.EventPattern).toEqual(props(spoke, 'RootActivityRule').EventPattern);
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: queueArn, DeadLetterConfig: { Arn: dlqArn } })]);
    expect(props(hub, 'RootEventsQueue').RedrivePolicy).toEqual({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 });
    const policy = props(hub, 'RootEventsQueuePolicy').PolicyDocument as { Statement: Json[] };
    expect(policy.Statement[0]).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Condition: {
        ArnEquals: {
          'aws:SourceArn': `arn:aws:events:us-east-1:${HUB}:rule/payerguard-root-activity/RootEventsRule-GENERATED`,
        },
      },
    });
    expect(policy.Statement[1]).toMatchObject({ Principal: { AWS: `arn:aws:iam::${HUB}:role/PayerGuardHub` } });
    expect(hub.Outputs?.RootEventsQueueUrl?.Value).toMatch(/^https:\/\/sqs\.us-east-1\.amazonaws\.com\/111111111111\//);
  });

  it('leaves the worker statement out when no worker role is given', () => {
    const bare = render(loadTemplate('root-monitor-hub.yaml'), {
      parameters: { OrganizationIds: ORG },
      accountId: HUB,
      region: 'us-east-1',
    });
    const policy = props(bare, 'RootEventsQueuePolicy').PolicyDocument as { Statement: Json[] };
    expect(policy.Statement).toHaveLength(1);
    expect(() =>
      render(loadTemplate('root-monitor-hub.yaml'), {
        parameters: { OrganizationIds: `${ORG},acme` },
        accountId: HUB,
        region: 'us-east-1',
      }),
    ).toThrow(RenderError);
  });
});
