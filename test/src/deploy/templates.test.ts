import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { KIT, loadTemplate, structuralProblems, templatePath } from './cloudformation.js';

/** cfn-lint (pip install cfn-lint) checks every property against AWS's resource specification; .ci/run installs it. */
const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;

describe('the deploy kit parses and every reference in it is defined', () => {
  for (const name of KIT) {
    it(`${name}: known resource types, required properties, every !Ref/!GetAtt/!Sub/!If target defined`, () => {
      const t = loadTemplate(name);
      expect(t.Description?.length).toBeGreaterThan(20);
      expect(structuralProblems(t)).toEqual([]);
    });
  }

  it('the structural check does catch a dangling reference, a bad attribute and an unknown type', () => {
    const t = loadTemplate('root-monitor-spoke.yaml');
    const rule = t.Resources.RootActivityRule as unknown as { Properties: { Targets: Record<string, unknown>[] } };
    rule.Properties.Targets[0] = {
      Id: 'x',
      Arn: { Ref: 'HubBusArnTypo' },
      RoleArn: { 'Fn::GetAtt': ['DeliveryRole', 'Nope'] },
    };
    t.Resources.Extra = { Type: 'AWS::Made::Up' };
    expect(structuralProblems(t)).toEqual([
      'Extra: unknown resource type AWS::Made::Up',
      'Resources.RootActivityRule.Properties.Targets[0].Arn: !Ref HubBusArnTypo',
      'Resources.RootActivityRule.Properties.Targets[0].RoleArn: !GetAtt DeliveryRole.Nope: AWS::IAM::Role has no such attribute',
    ]);
  });

  it(`cfn-lint passes on every template${cfnLint ? '' : ' (cfn-lint not installed here: required under CI)'}`, () => {
    if (!cfnLint) {
      expect(process.env.CI, 'CI must install cfn-lint (pip install cfn-lint)').toBeFalsy();
      return;
    }
    // Exit status 0 means no error, warning or informational finding in any template.
    const out = execFileSync('cfn-lint', KIT.map(templatePath), { encoding: 'utf8' });
    expect(out).toBe('');
  }, 120_000);
});
