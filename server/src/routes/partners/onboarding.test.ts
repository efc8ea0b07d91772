import { defaultSettings } from '@payerguard/core';
import { describe, expect, it } from 'vitest';
import { collectorActions, collectorRoleTemplate } from './onboarding.js';

describe('collector role template', () => {
  const template = collectorRoleTemplate(defaultSettings(), 'pg-ext-test-0001');
  const role = template.Resources.CollectorRole.Properties;
  const granted = role.Policies[0]!.PolicyDocument.Statement.flatMap((s) => s.Action);

  it('grants read-only actions only', () => {
    // GenerateCredentialReport writes nothing a partner relies on: it asks IAM to build the report the collector reads.
    const readOnly = /^[a-z-]+:(Get|List|Describe|Lookup)[A-Za-z]*$|^iam:GenerateCredentialReport$/;
    expect(granted.length).toBeGreaterThan(10);
    for (const action of granted) expect(action).toMatch(readOnly);
    expect(granted.some((a) => a.includes('*'))).toBe(false);
  });

  it('grants every API the collectors call', () => {
    for (const a of collectorActions().filter((x) => x !== 'sts:AssumeRole')) expect(granted).toContain(a);
  });

  it('trusts only the hub principal that collects (not the whole hub account), and only with the ExternalId', () => {
    const [stmt] = role.AssumeRolePolicyDocument.Statement;
    const hub = defaultSettings();
    expect(stmt?.Principal).toEqual({ AWS: hub.hubPrincipalArn });
    expect(hub.hubPrincipalArn).toBe(`arn:aws:iam::${hub.hubAccountId}:role/PayerGuardHub`);
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).not.toContain(':root');
    expect(stmt?.Condition).toEqual({ StringEquals: { 'sts:ExternalId': 'pg-ext-test-0001' } });
  });
});
