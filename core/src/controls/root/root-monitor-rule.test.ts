import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext, withEvidence } from '../../testing/evidence.js';
import { patternGaps } from './monitor-pattern.js';
import { rootMonitorRule as c } from './root-monitor-rule.js';

const evaluate = (ev = compliantEvidence()) => c.evaluate(ev, fixtureContext());

describe('ROOT-MONITOR-RULE', () => {
  it('passes when the rule is enabled, matches root activity and targets the hub bus in every region read', () => {
    expect(evaluate()[0]).toMatchObject({
      status: 'pass',
      evidence: { regionsChecked: ['us-east-1', 'eu-west-1', 'eu-central-1'] },
    });
  });
  it('fails when the rule is missing, naming every region', () => {
    expect(evaluate(breaks.monitorRule(compliantEvidence(), 'missing'))[0]).toMatchObject({
      status: 'fail',
      evidence: { ruleName: 'DistributorRootActivityMonitor', rulesSeen: [] },
    });
  });
  it('fails when the rule is missing in one region only, and names it', () => {
    const r = evaluate(breaks.monitorRule(compliantEvidence(), 'missing', ['eu-central-1']))[0];
    expect(r).toMatchObject({ status: 'fail', evidence: { problems: [{ region: 'eu-central-1' }] } });
    expect(r?.message).toContain('eu-central-1');
  });
  it('fails when the rule is disabled', () => {
    expect(evaluate(breaks.monitorRule(compliantEvidence(), 'disabled'))[0]).toMatchObject({
      status: 'fail',
      evidence: { problems: expect.arrayContaining([expect.objectContaining({ problem: 'the rule is DISABLED' })]) },
    });
  });
  it('fails when the rule has no target (ListTargetsByRule answers none)', () => {
    const r = evaluate(breaks.monitorRule(compliantEvidence(), 'no-target', ['eu-west-1']))[0];
    expect(r).toMatchObject({
      status: 'fail',
      evidence: { problems: [{ region: 'eu-west-1', problem: 'the rule has no target' }] },
    });
  });
  it('fails when the rule forwards somewhere other than the hub bus', () => {
    const r = evaluate(breaks.monitorRule(compliantEvidence(), 'other-target'))[0];
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('not the hub bus');
  });
  it('fails when the pattern is emptied, or matches sign-ins but not API calls', () => {
    expect(evaluate(breaks.monitorRule(compliantEvidence(), 'empty-pattern'))[0]).toMatchObject({
      status: 'fail',
      evidence: {
        problems: expect.arrayContaining([expect.objectContaining({ problem: 'the event pattern is empty' })]),
      },
    });
    const r = evaluate(breaks.monitorRule(compliantEvidence(), 'sign-ins-only'))[0];
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('root API calls');
  });
  it('is unknown when ListRules was denied in a region, and says which', () => {
    const r = evaluate(breaks.deny(compliantEvidence(), 'eventbridge.byRegion.eu-west-1.rules'))[0];
    expect(r).toMatchObject({
      status: 'unknown',
      evidence: {
        problems: [{ region: 'eu-west-1' }],
        api: 'events:ListRules',
        errorCode: expect.stringMatching(/AccessDenied/),
      },
    });
    expect(r?.message).toContain('eu-west-1');
  });
  it('is unknown when ListTargetsByRule failed', () => {
    const r = evaluate(breaks.deny(compliantEvidence(), 'eventbridge.byRegion.us-east-1.monitorRuleTargets'))[0];
    expect(r).toMatchObject({ status: 'unknown', evidence: { problems: [{ region: 'us-east-1' }] } });
  });
  it('a fail in one region outranks an unknown in another', () => {
    const ev = breaks.monitorRule(
      breaks.deny(compliantEvidence(), 'eventbridge.byRegion.eu-west-1.rules'),
      'disabled',
      ['eu-central-1'],
    );
    expect(evaluate(ev)[0]?.status).toBe('fail');
  });
  it('checks a region the payer enabled even if EventBridge was never read there', () => {
    const ev = withEvidence(compliantEvidence(), (e) => {
      e.regions?.read.push('ap-southeast-2');
    });
    expect(evaluate(ev)[0]).toMatchObject({
      status: 'unknown',
      evidence: { problems: [{ region: 'ap-southeast-2' }] },
    });
  });
  it('says when the region list was a fallback', () => {
    const ev = withEvidence(compliantEvidence(), (e) => {
      if (e.regions) e.regions.fallbackReason = 'account:ListRegions failed (AccessDeniedException)';
    });
    expect(evaluate(ev)[0]).toMatchObject({
      status: 'pass',
      evidence: { regionsFallbackReason: 'account:ListRegions failed (AccessDeniedException)' },
    });
  });
});

describe('patternGaps', () => {
  const gaps = (p: unknown) => patternGaps(JSON.stringify(p), '222222222222', 'eu-west-1');
  it.each([
    [{ detail: { userIdentity: { type: ['Root'] } } }, [], []],
    [
      {
        'detail-type': ['AWS Console Sign In via CloudTrail', 'AWS API Call via CloudTrail'],
        detail: { userIdentity: { type: ['Root'] } },
      },
      [],
      [],
    ],
    [
      { 'detail-type': ['AWS API Call via CloudTrail'], detail: { userIdentity: { type: ['Root'] } } },
      ['root console sign-ins'],
      [],
    ],
    [
      { detail: { userIdentity: { type: ['IAMUser'] } } },
      ['root console sign-ins', 'root API calls (EC2)', 'root API calls (S3)', 'root API calls (IAM)'],
      [],
    ],
    [{ detail: { userIdentity: { arn: [{ suffix: ':root' }] } } }, [], []],
    [
      { detail: { userIdentity: { type: [{ 'anything-but': 'Root' }] } } },
      ['root console sign-ins', 'root API calls (EC2)', 'root API calls (S3)', 'root API calls (IAM)'],
      [],
    ],
    [
      { source: ['aws.iam', 'aws.signin'], detail: { userIdentity: { type: ['Root'] } } },
      ['root API calls (EC2)', 'root API calls (S3)'],
      [],
    ],
    [
      {
        $or: [{ source: ['aws.signin'] }, { 'detail-type': ['AWS API Call via CloudTrail'] }],
        detail: { userIdentity: { type: ['Root'] } },
      },
      [],
      [],
    ],
    [
      { detail: { userIdentity: { type: [{ cidr: '10.0.0.0/8' }] } } },
      [],
      ['root console sign-ins', 'root API calls (EC2)', 'root API calls (S3)', 'root API calls (IAM)'],
    ],
  ])('%j misses %j', (pattern, missed, unsupported) => {
    expect(gaps(pattern)).toEqual({ missed, unsupported });
  });
  it('an absent, empty or invalid pattern is named', () => {
    expect(patternGaps(undefined, '1', 'us-east-1').invalid).toBe('the rule has no event pattern');
    expect(patternGaps('{}', '1', 'us-east-1').invalid).toBe('the event pattern is empty');
    expect(patternGaps('{', '1', 'us-east-1').invalid).toBe('the event pattern is not valid JSON');
  });
});
