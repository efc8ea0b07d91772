import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext } from '../../testing/evidence.js';
import { rootMonitorRule as c } from './root-monitor-rule.js';

describe('ROOT-MONITOR-RULE', () => {
  it('passes when the monitor rule exists and is enabled', () =>
    expect(c.evaluate(compliantEvidence(), fixtureContext())[0]?.status).toBe('pass'));
  it('fails when the rule is missing', () => {
    expect(c.evaluate(breaks.monitorRule(compliantEvidence(), 'missing'), fixtureContext())[0]).toMatchObject({
      status: 'fail',
      evidence: { ruleName: 'DistributorRootActivityMonitor', rulesSeen: [] },
    });
  });
  it('fails when the rule is disabled', () => {
    expect(c.evaluate(breaks.monitorRule(compliantEvidence(), 'disabled'), fixtureContext())[0]).toMatchObject({
      status: 'fail',
      evidence: { state: 'DISABLED' },
    });
  });
  it('is unknown when ListRules was denied', () => {
    expect(c.evaluate(breaks.deny(compliantEvidence(), 'eventbridge.rules'), fixtureContext())[0]).toMatchObject({
      status: 'unknown',
      evidence: { api: 'events:ListRules' },
    });
  });
});
