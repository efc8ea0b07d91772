import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { boundaryArnFor, defaultSettings } from '@payerguard/core';
import { referenceBoundary } from '@payerguard/core/policy/reference-boundary';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const settings = defaultSettings();
const ACCT = '210987654321';
const ARN = boundaryArnFor(settings, ACCT);
let dir = '';
const file = (name: string, content: unknown) => {
  const f = path.join(dir, name);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
};

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/payerguard.js', 'boundary', ...args],
      { cwd: root, timeout: 50_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'payerguard-boundary-'));
});

describe('payerguard boundary check', () => {
  it('prints one JSON object for the reference boundary: effective, exit 0', async () => {
    const r = await cli([
      'check',
      '--boundary',
      file('ref.json', referenceBoundary(settings, ACCT)),
      '--boundary-arn',
      ARN,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout);
    expect(out.effective).toBe(true);
    expect(out.checks.length).toBeGreaterThanOrEqual(30);
    for (const c of out.checks) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['id', 'title', 'status', 'detail']));
      expect(c.status).toBe('pass');
    }
  }, 60_000);

  it('names the exact action a hole leaves open, still exit 0', async () => {
    const ref = referenceBoundary(settings, ACCT);
    const holed = {
      ...ref,
      Statement: (ref.Statement as { Sid: string }[]).filter((s) => s.Sid !== 'DenyUnboundedPrincipals'),
    };
    // The shape `aws iam get-policy-version` prints, with its URL-encoded document, is accepted as well.
    const wrapped = {
      PolicyVersion: { Document: encodeURIComponent(JSON.stringify(holed)), VersionId: 'v3', IsDefaultVersion: true },
    };
    const r = await cli(['check', '--boundary', file('holed.json', wrapped), `--boundary-arn=${ARN}`, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.effective).toBe(false);
    const c = out.checks.find((x: { id: string }) => x.id === 'create-role-unbounded');
    expect(c).toMatchObject({ status: 'fail', action: 'iam:CreateRole' });
    expect(c.detail).toContain('iam:CreateRole');
  }, 60_000);

  it('takes identity policies and partial settings', async () => {
    const weak = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const identity = file('ident.json', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    });
    const s = file('settings.json', { protectedResources: { s3Buckets: ['other-private-bucket'] } });
    const r = await cli([
      'check',
      '--boundary',
      file('weak.json', weak),
      '--boundary-arn',
      ARN,
      '--identity',
      identity,
      '--settings',
      s,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.checks.filter((c: { status: string }) => c.status === 'fail').map((c: { id: string }) => c.id)).toEqual([
      'distributor-data',
    ]);
    expect(out.checks.find((c: { id: string }) => c.id === 'distributor-data').resource).toContain(
      'other-private-bucket',
    );
  }, 60_000);

  it('bad JSON, a non-policy and a missing file: one line on stderr, exit 2, nothing on stdout', async () => {
    const cases = [
      file('broken.json', '{"Version": "2012-10-17", "Statement": ['),
      file('not-policy.json', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*' }] }),
      file('array.json', [1, 2, 3]),
      path.join(dir, 'missing.json'),
    ];
    const results = await Promise.all(
      cases.map((f) => cli(['check', '--boundary', f, '--boundary-arn', ARN, '--json'])),
    );
    for (const r of results) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(results[0]?.stderr).toContain('not valid JSON');
    expect(results[1]?.stderr).toContain('Resource');
    expect(results[3]?.stderr).toContain('no such file');
  }, 60_000);

  it('bad flags and a bad ARN exit 2; flags before "check" are read the same', async () => {
    const ref = file('ref2.json', referenceBoundary(settings, ACCT));
    const [noArn, badArn, unknown, reordered] = await Promise.all([
      cli(['check', '--boundary', ref, '--json']),
      cli(['check', '--boundary', ref, '--boundary-arn', 'arn:aws:iam::1:role/x', '--json']),
      cli(['check', '--boundary', ref, '--boundary-arn', ARN, '--frobnicate']),
      cli(['--json', 'check', '--boundary', ref, '--boundary-arn', ARN]),
    ]);
    expect([noArn?.code, badArn?.code, unknown?.code, reordered?.code]).toEqual([2, 2, 2, 0]);
    expect(badArn?.stderr).toContain('not a customer-managed policy ARN');
    expect(JSON.parse(reordered?.stdout ?? '').effective).toBe(true);
  }, 60_000);
});
