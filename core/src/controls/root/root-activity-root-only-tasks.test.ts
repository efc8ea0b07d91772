import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../settings.js';
import {
  breaks,
  compliantEvidence,
  FIXTURE_NOW,
  fixtureContext,
  rootEvent,
  withEvidence,
} from '../../testing/evidence.js';
import { rootActivityRootOnlyTasks as c } from './root-activity-root-only-tasks.js';

describe('ROOT-ACTIVITY-ROOT-ONLY-TASKS', () => {
  it('passes for a sign-in and a root-only task (activating IAM billing access)', () => {
    const [r] = c.evaluate(compliantEvidence(), fixtureContext());
    expect(r?.status).toBe('pass');
    expect(r?.evidence.allowed).toEqual([
      expect.objectContaining({ eventName: 'ConsoleLogin', why: 'sign-in' }),
      expect.objectContaining({ eventName: 'SetIAMAccessPreference', why: 'root-only task: billing-iam-access' }),
    ]);
  });
  it('fails for each everyday root call, naming event id, name, time, source IP and MFA', () => {
    const rs = c.evaluate(breaks.rootEverydayTask(compliantEvidence(), 'evt-ec2', 'RunInstances'), fixtureContext());
    expect(rs).toHaveLength(1);
    expect(rs[0]).toMatchObject({
      status: 'fail',
      resource: 'evt-ec2',
      evidence: { eventId: 'evt-ec2', eventName: 'RunInstances', sourceIPAddress: '203.0.113.7', mfaUsed: false },
    });
    expect(rs[0]?.message).toContain('without MFA');
  });
  it('judges by event source too: CreateAccessKey is root-only in IAM, not a same-named call elsewhere', () => {
    const ev = withEvidence(compliantEvidence(), (e) => {
      if (e.cloudtrail?.rootEvents.status !== 'ok') return;
      e.cloudtrail.rootEvents.data.push(
        rootEvent(e.payerAccountId, { eventId: 'evt-key', eventName: 'CreateAccessKey' }),
      );
      e.cloudtrail.rootEvents.data.push(
        rootEvent(e.payerAccountId, {
          eventId: 'evt-odd',
          eventName: 'CreateAccessKey',
          eventSource: 'example.amazonaws.com',
        }),
      );
    });
    expect(c.evaluate(ev, fixtureContext()).map((r) => r.resource)).toEqual(['evt-odd']);
  });
  it('honours approved root windows', () => {
    const settings = defaultSettings();
    const t = FIXTURE_NOW.getTime() - 5 * 86_400_000;
    settings.approvedRootWindows = [
      {
        start: new Date(t - 3_600_000).toISOString(),
        end: new Date(t + 3_600_000).toISOString(),
        reason: 'CHG-7 migration',
      },
    ];
    const [r] = c.evaluate(breaks.rootEverydayTask(compliantEvidence()), fixtureContext({ settings }));
    expect(r?.status).toBe('pass');
    expect(r?.evidence.allowed).toContainEqual(expect.objectContaining({ why: 'approved window: CHG-7 migration' }));
  });
  it('is unknown when LookupEvents throttled', () => {
    expect(
      c.evaluate(breaks.deny(compliantEvidence(), 'cloudtrail.rootEvents', 'throttled'), fixtureContext())[0]?.status,
    ).toBe('unknown');
  });

  const judge = (...events: Parameters<typeof rootEvent>[1][]) => {
    const ev = withEvidence(compliantEvidence(), (e) => {
      if (e.cloudtrail?.rootEvents.status !== 'ok') return;
      for (const x of events) e.cloudtrail.rootEvents.data.push(rootEvent(e.payerAccountId, x));
    });
    return c
      .evaluate(ev, fixtureContext())
      .filter((r) => r.status === 'fail')
      .map((r) => r.resource);
  };
  const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
  // [what, event, is it a root-only task the way AWS lists it?]
  it.each([
    ['root deletes its own access key', { eventName: 'DeleteAccessKey' }, true],
    ["root creates an IAM user's access key", { eventName: 'CreateAccessKey', request: { userName: 'alice' } }, false],
    ['root enables its own MFA device', { eventName: 'EnableMFADevice' }, true],
    [
      'root restores the only admin with a scoped policy',
      { eventName: 'PutUserPolicy', request: { userName: 'admin' } },
      true,
    ],
    [
      'root attaches AdministratorAccess',
      { eventName: 'AttachUserPolicy', request: { userName: 'x', policyArn: ADMIN } },
      false,
    ],
    ['root removes a user boundary', { eventName: 'DeleteUserPermissionsBoundary', request: { userName: 'x' } }, false],
    ['root removes a role boundary', { eventName: 'DeleteRolePermissionsBoundary', request: { roleName: 'x' } }, false],
    ['root attaches a policy to a role', { eventName: 'AttachRolePolicy', request: { roleName: 'x' } }, false],
    [
      'root enables MFA delete',
      {
        eventName: 'PutBucketVersioning',
        eventSource: 's3.amazonaws.com',
        request: { bucketName: 'b', mfaDelete: 'Enabled' },
      },
      true,
    ],
    [
      'root only turns versioning on',
      { eventName: 'PutBucketVersioning', eventSource: 's3.amazonaws.com', request: { bucketName: 'b' } },
      false,
    ],
    [
      'root deletes a deny-all bucket policy',
      { eventName: 'DeleteBucketPolicy', eventSource: 's3.amazonaws.com' },
      true,
    ],
    ['root writes a bucket policy', { eventName: 'PutBucketPolicy', eventSource: 's3.amazonaws.com' }, false],
    [
      'root changes the Support plan (IAM can, since supportplans:)',
      { eventName: 'UpdateSupportPlan', eventSource: 'supportplans.amazonaws.com' },
      false,
    ],
    ['root edits an SQS queue policy', { eventName: 'SetQueueAttributes', eventSource: 'sqs.amazonaws.com' }, false],
    ['root closes the account', { eventName: 'CloseAccount', eventSource: 'account.amazonaws.com' }, true],
  ] as const)('%s: root-only task = %s', (_what, event, rootOnly) => {
    const failed = judge({ eventId: 'evt', ...event } as Parameters<typeof rootEvent>[1]);
    expect(failed).toEqual(rootOnly ? [] : ['evt']);
  });
  it('names the task an event resembles and why it is not that task', () => {
    const ev = withEvidence(compliantEvidence(), (e) => {
      if (e.cloudtrail?.rootEvents.status === 'ok')
        e.cloudtrail.rootEvents.data.push(
          rootEvent(e.payerAccountId, {
            eventId: 'evt-admin',
            eventName: 'AttachUserPolicy',
            request: { policyArn: ADMIN },
          }),
        );
    });
    const [r] = c.evaluate(ev, fixtureContext());
    expect(r).toMatchObject({ status: 'fail', evidence: { nearestTask: 'restore-iam-permissions' } });
    expect(r?.message).toMatch(/AdministratorAccess/);
  });
  it("lets a root console session's own read-only events through, but not reads with root keys or long after sign-in", () => {
    const signIn = new Date(FIXTURE_NOW.getTime() - 5 * 86_400_000);
    const at = (h: number) => new Date(signIn.getTime() + h * 3_600_000).toISOString();
    const failed = judge(
      {
        eventId: 'login',
        eventName: 'ConsoleLogin',
        eventSource: 'signin.amazonaws.com',
        eventTime: at(0),
        outcome: 'Success',
      },
      { eventId: 'console-read', eventName: 'ListUsers', eventTime: at(1), readOnly: true, fromConsole: true },
      { eventId: 'key-read', eventName: 'ListUsers', eventTime: at(1), readOnly: true, fromConsole: false },
      { eventId: 'late-read', eventName: 'ListUsers', eventTime: at(13), readOnly: true, fromConsole: true },
      { eventId: 'console-write', eventName: 'CreateUser', eventTime: at(1), readOnly: false, fromConsole: true },
    );
    expect(failed.sort()).toEqual(['console-write', 'key-read', 'late-read']);
  });
});
