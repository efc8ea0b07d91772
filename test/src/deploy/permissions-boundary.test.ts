import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { boundaryArnFor, type DistributorSettings, defaultSettings, type PolicyDocument } from '@payerguard/core';
import { diffPolicies } from '@payerguard/core/policy/diff';
import { referenceBoundary } from '@payerguard/core/policy/reference-boundary';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTemplate, render } from './cloudformation.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ACCT = '210987654321';
const template = loadTemplate('permissions-boundary.yaml');
let dir = '';

/** The template's parameters for the given settings: what deploy/README.md tells a distributor to pass. */
function parametersFor(s: DistributorSettings): Record<string, string> {
  const p = s.protectedResources;
  return {
    BoundaryPolicyName: s.boundary.policyName,
    BoundaryPath: s.boundary.policyPath,
    DistributorPath: s.distributorPrincipals.paths[0] as string,
    DistributorBuckets: p.s3Buckets.join(','),
    CollectorRoleName: s.collectorRoleName,
    BillingRoleName: s.billingRoleName,
    OrganizationAccessRoleName: 'OrganizationAccountAccessRole',
    MonitorRuleName: p.monitorRuleName,
    TrailName: p.trailName,
    GovernanceStackName: p.governanceStackName,
  };
}

function rendered(s: DistributorSettings): { document: PolicyDocument; arn: unknown } {
  const t = render(template, { parameters: parametersFor(s), accountId: ACCT, region: 'eu-west-1' });
  const props = t.Resources.PartnerBoundary?.Properties as { PolicyDocument: PolicyDocument };
  return { document: props.PolicyDocument, arn: t.Outputs?.BoundaryPolicyArn?.Value };
}

/** `payerguard boundary check --json`, the real command in its own process. */
function boundaryCheck(document: PolicyDocument, s: DistributorSettings, name: string) {
  const boundary = path.join(dir, `${name}.json`);
  const settings = path.join(dir, `${name}-settings.json`);
  writeFileSync(boundary, JSON.stringify(document));
  writeFileSync(settings, JSON.stringify(s));
  const args = ['bin/payerguard.js', 'boundary', 'check', '--boundary', boundary, '--boundary-arn'];
  args.push(boundaryArnFor(s, ACCT), '--settings', settings, '--json');
  return new Promise<{ code: number; out: { effective: boolean; checks: { id: string; status: string }[] } }>(
    (resolve, reject) =>
      execFile(process.execPath, args, { cwd: root, timeout: 90_000 }, (err, stdout, stderr) => {
        if (err) return reject(new Error(`boundary check exited ${err.code}: ${stderr}`));
        resolve({ code: 0, out: JSON.parse(stdout) });
      }),
  );
}

// A distributor that changed every parameter: other buckets, paths and governance names.
const custom: DistributorSettings = (() => {
  const s = defaultSettings();
  s.boundary = { policyName: 'AcmeDistFence', policyPath: '/governance/fences/', approvedDocument: null };
  s.collectorRoleName = 'AcmeAuditReader';
  s.billingRoleName = 'AcmeRebilling';
  s.distributorPrincipals = {
    paths: ['/acme-dist/'],
    names: ['AcmeAuditReader', 'AcmeRebilling', 'OrganizationAccountAccessRole'],
    tags: [],
  };
  s.protectedResources = {
    ...s.protectedResources,
    s3Buckets: ['acme-cur-private', 'acme-distribution-files'],
    monitorRuleName: 'AcmeRootWatch',
    trailName: 'acme-org-trail',
    governanceStackName: 'AcmeGovernance',
  };
  return s;
})();

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'payerguard-deploy-boundary-'));
});

describe('deploy/permissions-boundary.yaml', () => {
  for (const [label, s] of [
    ['default settings', defaultSettings()],
    ['every parameter changed', custom],
  ] as const) {
    it(`renders to payerguard's reference boundary (${label}), so BOUNDARY-DRIFT stays quiet`, () => {
      const { document, arn } = rendered(s);
      expect(arn).toBe(boundaryArnFor(s, ACCT));
      const diff = diffPolicies(referenceBoundary(s, ACCT), document);
      expect(diff.changes, JSON.stringify(diff.changes, null, 2)).toEqual([]);
    });

    it(`passes every check of payerguard boundary check (${label})`, async () => {
      const { out } = await boundaryCheck(rendered(s).document, s, label.replaceAll(' ', '-'));
      expect(out.checks.length).toBeGreaterThanOrEqual(30);
      expect(out.checks.filter((c) => c.status !== 'pass')).toEqual([]);
      expect(out.effective).toBe(true);
    }, 120_000);
  }

  it('a rendering with a statement missing fails the same check (the test can fail)', async () => {
    const { document } = rendered(defaultSettings());
    const holed = {
      ...document,
      Statement: (document.Statement as { Sid?: string }[]).filter((x) => x.Sid !== 'DenyPassUnboundedRole'),
    } as PolicyDocument;
    const { out } = await boundaryCheck(holed, defaultSettings(), 'holed');
    expect(out.effective).toBe(false);
    expect(out.checks.some((c) => c.status === 'fail' && c.id.startsWith('passrole-'))).toBe(true);
  }, 120_000);
});
