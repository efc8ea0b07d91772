import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { actionInfo } from '@payerguard/core/policy/iam-data';
import { describe, expect, it } from 'vitest';
import { loadTemplate, RenderError, render } from './cloudformation.js';

const COLLECTORS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../workers/src/collectors');

/**
 * The IAM service prefix of each SDK v3 client package (for these services it is also the SigV4 signing name). A
 * collector that imports a client missing here fails the test until its prefix is added.
 */
const IAM_PREFIX: Record<string, string> = {
  '@aws-sdk/client-account': 'account',
  '@aws-sdk/client-cloudtrail': 'cloudtrail',
  '@aws-sdk/client-cost-explorer': 'ce',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-organizations': 'organizations',
  '@aws-sdk/client-sts': 'sts',
};

/**
 * Calls a collector sends with the hub's own credentials, before it holds the collector role's: the role's trust
 * policy grants them (to the hub principal), not its permissions.
 */
const HUB_SIDE = ['sts:AssumeRole'];

/** Every "service:Action" the collectors send: each `new XCommand(` mapped through the package it is imported from. */
function collectorCalls(): { action: string; file: string }[] {
  const calls: { action: string; file: string }[] = [];
  for (const file of readdirSync(COLLECTORS).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const text = readFileSync(path.join(COLLECTORS, file), 'utf8');
    const from = new Map<string, string>();
    for (const m of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[a-z0-9-]+)'/g))
      for (const name of (m[1] as string).split(',').map((s) => s.trim().replace(/^type\s+/, '')))
        if (name) from.set(name, m[2] as string);
    for (const m of text.matchAll(/new\s+(\w+)Command\s*\(/g)) {
      const pkg = from.get(`${m[1]}Command`);
      if (!pkg) throw new Error(`${file}: ${m[1]}Command is not imported from an @aws-sdk client`);
      const prefix = IAM_PREFIX[pkg];
      if (!prefix) throw new Error(`${file}: no IAM prefix known for ${pkg}: add it to IAM_PREFIX`);
      calls.push({ action: `${prefix}:${m[1]}`, file });
    }
  }
  return calls;
}

const template = loadTemplate('collector-role.yaml');
const HUB_ROLE = 'arn:aws:iam::111111111111:role/PayerGuardHub';
const rendered = render(template, {
  parameters: { HubPrincipalArn: HUB_ROLE, ExternalId: 'pg-ext-test-0001' },
  accountId: '222222222222',
  region: 'us-east-1',
});
const role = rendered.Resources.CollectorRole?.Properties as {
  RoleName: string;
  AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] };
  Policies: { PolicyDocument: { Statement: { Effect: string; Action: string[]; Resource: string }[] } }[];
};
const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
const granted = statements.flatMap((s) => s.Action);

describe('deploy/collector-role.yaml', () => {
  const calls = collectorCalls();
  const called = [...new Set(calls.map((c) => c.action))].sort();

  it('finds the collectors and the commands they send', () => {
    expect(calls.length).toBeGreaterThanOrEqual(15);
    // A few known ones, so a parser that silently matched nothing could not pass.
    expect(called).toEqual(
      expect.arrayContaining(['iam:GetAccountAuthorizationDetails', 'ce:GetCostAndUsage', 'sts:AssumeRole']),
    );
    for (const a of HUB_SIDE) expect(called).toContain(a);
  });

  it('grants exactly the actions the collectors call with the role: nothing missing, nothing extra', () => {
    const needed = called.filter((a) => !HUB_SIDE.includes(a));
    expect([...granted].sort()).toEqual(needed);
    expect(new Set(granted).size).toBe(granted.length);
  });

  it('grants only read-level actions that exist (AWS Service Authorization Reference), on no wildcard', () => {
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      expect(s.Resource).toBe('*');
    }
    for (const action of granted) {
      expect(action).not.toContain('*');
      const info = actionInfo(action);
      expect(info, `${action} is not a known IAM action`).toBeDefined();
      expect(['Read', 'List'], `${action} is ${info?.accessLevel}`).toContain(info?.accessLevel);
    }
  });

  it('is trusted by the hub principal role only, and only with the ExternalId', () => {
    const trust = role.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([
      {
        Sid: 'DistributorHubAssumesCollector',
        Effect: 'Allow',
        Principal: { AWS: HUB_ROLE },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'pg-ext-test-0001' } },
      },
    ]);
    expect(role.RoleName).toBe('PayerGuardCollector');
    expect(rendered.Outputs?.CollectorRoleArn?.Value).toBe('arn:aws:iam::222222222222:role/PayerGuardCollector');
  });

  it('refuses a hub principal that is not a role, and a missing or malformed ExternalId', () => {
    const ctx = { accountId: '222222222222', region: 'us-east-1' };
    expect(() =>
      render(template, { ...ctx, parameters: { HubPrincipalArn: 'arn:aws:iam::111111111111:root', ExternalId: 'x1' } }),
    ).toThrow(RenderError);
    expect(() => render(template, { ...ctx, parameters: { HubPrincipalArn: HUB_ROLE } })).toThrow(/ExternalId/);
    expect(() =>
      render(template, { ...ctx, parameters: { HubPrincipalArn: HUB_ROLE, ExternalId: 'has space' } }),
    ).toThrow(/ExternalId/);
    expect(template.Parameters?.ExternalId?.NoEcho).toBe(true);
  });
});
