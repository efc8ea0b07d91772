import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../evidence/types.js';
import { boundaryArnFor, defaultSettings } from '../settings.js';
import { ADMINISTRATOR_ACCESS } from './check.js';
import { PolicySet, validatePolicyDocument } from './engine.js';
import { ESCALATION_METHODS } from './escalation-methods.js';
import { actionInfo, applicableContext } from './iam-data.js';
import { type Caller, requestFor, withResourceTags } from './probe.js';
import { referenceBoundary } from './reference-boundary.js';
import { attackerVariants, syntheticTargets } from './targets.js';

/**
 * The synchronous engine must decide exactly as the library's public, validating runSimulation does, for every
 * request the catalogue makes. This also proves each probe is a valid AWS request (real action, resource ARN of an
 * accepted type, context keys of the right kind): runSimulation answers "error" otherwise.
 */
const settings = defaultSettings();
const ACCT = '222222222222';
const boundaryArn = boundaryArnFor(settings, ACCT);
const now = new Date('2026-11-15T12:00:00Z');

function holed(...sids: string[]): PolicyDocument {
  const ref = referenceBoundary(settings, ACCT);
  return { ...ref, Statement: (ref.Statement as { Sid: string }[]).filter((s) => !sids.includes(s.Sid)) };
}

const callers: Caller[] = [
  { kind: 'user', arn: `arn:aws:iam::${ACCT}:user/partner-admin`, accountId: ACCT, name: 'partner-admin' },
  { kind: 'role', arn: `arn:aws:iam::${ACCT}:role/PartnerAdmin`, accountId: ACCT, name: 'PartnerAdmin' },
];

describe('sync engine agrees with runSimulation', () => {
  for (const [label, boundary] of [
    ['reference', referenceBoundary(settings, ACCT)],
    [
      'reference without boundary, pass-role and governance denies',
      holed('DenyBoundaryTampering', 'DenyPassUnboundedRole', 'DenyGovernanceTampering'),
    ],
    [
      'a boundary fencing PassRole by a resource tag',
      {
        ...holed('DenyPassUnboundedRole'),
        Statement: [
          ...(holed('DenyPassUnboundedRole').Statement as object[]),
          {
            Effect: 'Deny',
            Action: ['iam:PassRole', 'sts:AssumeRole'],
            Resource: `arn:aws:iam::${ACCT}:role/*`,
            Condition: { StringNotEquals: { 'iam:ResourceTag/fenced': 'yes', 'aws:ResourceTag/fenced': 'yes' } },
          },
        ],
      } as PolicyDocument,
    ],
  ] as const) {
    it(`on every catalogue request, ${label}`, async () => {
      const targets = syntheticTargets(settings, ACCT, boundaryArn, boundary);
      const set = new PolicySet([ADMINISTRATOR_ACCESS], { name: 'boundary', document: boundary });
      const seen = new Set<string>();
      let compared = 0;
      let allowed = 0;
      for (const method of ESCALATION_METHODS)
        for (const route of method.routes(targets))
          for (const step of route.steps)
            for (const caller of callers) {
              const req = requestFor(caller, withResourceTags(step, targets), now);
              const key = JSON.stringify(req);
              if (seen.has(key)) continue;
              seen.add(key);
              const mine = set.simulate(req).result;
              const theirs = await runSimulation(
                {
                  request: {
                    principal: req.principal,
                    action: req.action,
                    resource: { resource: req.resource, accountId: req.resourceAccount },
                    contextVariables: req.context,
                  },
                  identityPolicies: [{ name: 'AdministratorAccess', policy: ADMINISTRATOR_ACCESS.document }],
                  serviceControlPolicies: [],
                  resourceControlPolicies: [],
                  permissionBoundaryPolicies: [{ name: 'boundary', policy: boundary }],
                },
                { simulationMode: 'Strict' },
              );
              expect(
                theirs.resultType,
                `${req.action} ${req.resource}: ${JSON.stringify(theirs)}`.slice(0, 400),
              ).not.toBe('error');
              if (theirs.resultType === 'error') continue;
              expect(mine, `${method.id} ${req.action} ${req.resource}`).toBe(theirs.overallResult);
              if (theirs.resultType === 'single')
                expect(theirs.result.ignoredContextKeys ?? [], `${req.action} context`).toEqual([]);
              compared++;
              if (mine === 'Allowed') allowed++;
            }
      expect(compared).toBeGreaterThan(150);
      // The holed boundary must actually open some requests, or the comparison proves little.
      if (label !== 'reference') expect(allowed).toBeGreaterThan(label.includes('tag') ? 5 : 20);
    }, 60_000);
  }
});

describe('attacker request contexts are valid requests too', () => {
  it('every variant, on IAM, S3 and CloudTrail requests, agrees with runSimulation', async () => {
    const deny = (key: string, op: string, value: string) => ({
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { [op]: { [key]: value } },
    });
    const boundary = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        deny('aws:SourceIp', 'NotIpAddress', '10.0.0.0/8'),
        deny('aws:ViaAWSService', 'Bool', 'true'),
        deny('aws:RequestedRegion', 'StringEquals', 'eu-west-1'),
        deny('aws:MultiFactorAuthPresent', 'BoolIfExists', 'false'),
        deny('aws:CurrentTime', 'DateGreaterThan', '2090-01-01T00:00:00Z'),
        deny('aws:UserAgent', 'StringLike', '*probe*'),
      ],
    };
    const variants = attackerVariants(boundary);
    expect(variants.map((v) => v.label)).toHaveLength(8);
    const set = new PolicySet([ADMINISTRATOR_ACCESS], { name: 'boundary', document: boundary });
    const steps = [
      {
        action: 'iam:CreateRole',
        resource: `arn:aws:iam::${ACCT}:role/x`,
        context: { 'iam:PermissionsBoundary': boundaryArn },
      },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::distributor-billing-files/a.csv' },
      { action: 'cloudtrail:StopLogging', resource: `arn:aws:cloudtrail:us-east-1:${ACCT}:trail/t` },
    ];
    const results = new Set<string>();
    for (const variant of [undefined, ...variants])
      for (const step of steps) {
        const req = requestFor(callers[0] as Caller, step, now, variant);
        const theirs = await runSimulation(
          {
            request: {
              principal: req.principal,
              action: req.action,
              resource: { resource: req.resource, accountId: req.resourceAccount },
              contextVariables: req.context,
            },
            identityPolicies: [{ name: 'AdministratorAccess', policy: ADMINISTRATOR_ACCESS.document }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            permissionBoundaryPolicies: [{ name: 'boundary', policy: boundary }],
          },
          { simulationMode: 'Strict' },
        );
        expect(theirs.resultType, JSON.stringify(theirs).slice(0, 300)).toBe('single');
        if (theirs.resultType !== 'single') continue;
        expect(theirs.result.ignoredContextKeys).toEqual([]);
        const mine = set.simulate(req).result;
        expect(mine, `${variant?.label} ${step.action}`).toBe(theirs.overallResult);
        results.add(`${variant?.label ?? 'base'}:${mine}`);
      }
    // Each variant trips its own deny, so the variants really change the decision.
    expect([...results].filter((r) => r.endsWith('ExplicitlyDenied')).length).toBeGreaterThanOrEqual(6);
  }, 60_000);
});

describe('iam-data lookups', () => {
  it('knows wildcard-only actions and refuses unknown ones', () => {
    expect(actionInfo('aws-portal:ViewBilling')?.wildcardOnly).toBe(true);
    expect(actionInfo('iam:CreateRole')?.wildcardOnly).toBe(false);
    expect(actionInfo('IAM:createrole')?.action).toBe('iam:CreateRole');
    expect(actionInfo('iam:NoSuchAction')).toBeUndefined();
    expect(actionInfo('nonsense')).toBeUndefined();
  });
  it('keeps only the context keys AWS sends with the action', () => {
    const ctx = applicableContext('iam:PassRole', {
      'iam:PassedToService': 'ec2.amazonaws.com',
      'iam:PermissionsBoundary': 'x',
      'aws:PrincipalArn': 'y',
      'aws:TagKeys': ['a'],
    });
    expect(ctx).toEqual({ 'iam:PassedToService': 'ec2.amazonaws.com', 'aws:PrincipalArn': 'y' });
    expect(applicableContext('iam:CreateRole', { 'iam:PermissionsBoundary': 'x' })).toEqual({
      'iam:PermissionsBoundary': 'x',
    });
  });
});

describe('validatePolicyDocument', () => {
  it('accepts the reference and names what is wrong otherwise', () => {
    expect(validatePolicyDocument(referenceBoundary(settings, ACCT))).toEqual([]);
    expect(validatePolicyDocument(null)).toEqual(['the policy must be a JSON object']);
    expect(
      validatePolicyDocument({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        Id: 'x',
      }),
    ).toEqual([]);
    expect(
      validatePolicyDocument({
        Version: '2013-01-01',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      })[0],
    ).toMatch(/Version/);
    expect(
      validatePolicyDocument({
        Statement: [
          {
            Effect: 'Deny',
            Action: 's3:*',
            Resource: '*',
            Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'x*' } },
          },
        ],
      }),
    ).toEqual([]);
    expect(
      validatePolicyDocument({
        Statement: [
          { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { NullIfExists: { 'aws:TagKeys': 'true' } } },
        ],
      })[0],
    ).toMatch(/NullIfExists/);
  });
});
