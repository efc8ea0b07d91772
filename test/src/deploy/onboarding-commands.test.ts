import { type DistributorSettings, defaultSettings, type PolicyDocument } from '@payerguard/core';
import { diffPolicies } from '@payerguard/core/policy/diff';
import { referenceBoundary } from '@payerguard/core/policy/reference-boundary';
import { deployCommands } from '@payerguard/server/routes/partners/deploy-commands';
import { describe, expect, it } from 'vitest';
import { loadTemplate, render } from './cloudformation.js';

const PAYER = '246813579024';
const HUB_ROLE = 'arn:aws:iam::111111111111:role/PayerGuardHub';

/** Reads a command back the way a POSIX shell and the AWS CLI's shorthand would: the parameters it passes. */
function parametersOf(command: string, flag: string): Record<string, string> {
  const line = command.replaceAll('\\\n', ' ');
  const start = line.indexOf(`${flag} `);
  expect(start, `${flag} in ${command}`).toBeGreaterThan(0);
  const out: Record<string, string> = {};
  // Single-quoted words ('"'"' is a quote inside one), up to the next --flag.
  for (const m of line.slice(start + flag.length).matchAll(/\s+((?:'[^']*'|"'")+)/g)) {
    const word = (m[1] as string).replace(/'([^']*)'|"(')"/g, (_, a, b) => a ?? b);
    const kv = /^ParameterKey=([^,]+),ParameterValue=(.*)$/.exec(word);
    if (!kv) throw new Error(`not a parameter: ${word}`);
    out[kv[1] as string] = (kv[2] as string).replace(/\\(.)/g, '$1');
  }
  return out;
}

describe('onboarding commands for the deploy kit', () => {
  const s: DistributorSettings = defaultSettings();
  s.protectedResources.s3Buckets = ['cur-private', 'distribution-files'];
  const cmds = deployCommands(s, { accountId: PAYER, externalId: 'pg-AbC_12-xyz' }, HUB_ROLE, 'eu-west-1');

  it('collector role: the create-stack command passes the parameters the template takes, filled in', () => {
    const params = parametersOf(cmds.collectorRole.createStack, '--parameters');
    expect(params).toEqual({ HubPrincipalArn: HUB_ROLE, ExternalId: 'pg-AbC_12-xyz', RoleName: 'PayerGuardCollector' });
    const t = render(loadTemplate('collector-role.yaml'), {
      parameters: params,
      accountId: PAYER,
      region: 'eu-west-1',
    });
    const trust = (t.Resources.CollectorRole!.Properties as { AssumeRolePolicyDocument: { Statement: unknown[] } })
      .AssumeRolePolicyDocument.Statement[0];
    expect(trust).toMatchObject({
      Principal: { AWS: HUB_ROLE },
      Condition: { StringEquals: { 'sts:ExternalId': 'pg-AbC_12-xyz' } },
    });
    expect(cmds.collectorRole.createStack).toContain('--template-body file://deploy/collector-role.yaml');
    expect(cmds.collectorRole.createStack).toContain('--capabilities CAPABILITY_NAMED_IAM');
  });

  it('collector role: the StackSet instance command overrides only the ExternalId, for this account', () => {
    expect(parametersOf(cmds.collectorRole.stackSetInstance ?? '', '--parameter-overrides')).toEqual({
      ExternalId: 'pg-AbC_12-xyz',
    });
    expect(cmds.collectorRole.stackSetInstance).toMatch(/--accounts 246813579024 .*--regions eu-west-1/s);
  });

  it("permissions boundary: the command's parameters render the reference boundary for these settings", () => {
    const params = parametersOf(cmds.permissionsBoundary.createStack, '--parameters');
    expect(params.DistributorBuckets).toBe('cur-private,distribution-files');
    const t = render(loadTemplate('permissions-boundary.yaml'), {
      parameters: params,
      accountId: PAYER,
      region: 'us-east-1',
    });
    const doc = (t.Resources.PartnerBoundary!.Properties as { PolicyDocument: PolicyDocument }).PolicyDocument;
    expect(diffPolicies(referenceBoundary(s, PAYER), doc).changes).toEqual([]);
    expect(cmds.permissionsBoundary.createStack).toContain("--stack-name 'DistributorGovernance'");
    expect(cmds.permissionsBoundary.warnings).toEqual([]);
  });

  it('says what the template cannot express instead of deploying a boundary that silently drifts', () => {
    const more = defaultSettings();
    more.distributorPrincipals.names.push('DistributorBreakGlass');
    const c = deployCommands(more, { accountId: PAYER, externalId: 'pg-x1' }, HUB_ROLE, 'us-east-1');
    expect(c.permissionsBoundary.warnings.join(' ')).toContain('DistributorBreakGlass');
  });

  it('keeps a quote in a value inside the shell word (never a way out of the command)', () => {
    const c = deployCommands(defaultSettings(), { accountId: PAYER, externalId: "pg-a'b" }, HUB_ROLE, 'us-east-1');
    expect(parametersOf(c.collectorRole.createStack, '--parameters').ExternalId).toBe("pg-a'b");
  });
});
