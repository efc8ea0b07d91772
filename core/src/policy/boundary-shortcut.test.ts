import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { PayerEvidence, PolicyDocument } from '../evidence/types.js';
import { boundaryArnFor, defaultSettings } from '../settings.js';
import { compliantEvidence, FIXTURE_PAYER } from '../testing/evidence.js';
import { deployBoundary, editDetails, role, user, withoutSids } from '../testing/iam-fixtures.js';
import { analyzePayer } from './analyze.js';
import { ADMINISTRATOR_ACCESS } from './check.js';
import { type Decision, type NamedPolicy, PolicySet, resetPolicyMemo, setPolicyShortcuts } from './engine.js';
import { ESCALATION_METHODS, type ProbeStep } from './escalation-methods.js';
import { type Caller, requestFor, withResourceTags } from './probe.js';
import { referenceBoundary } from './reference-boundary.js';
import { syntheticTargets } from './targets.js';

/**
 * The boundary shortcut (decision-memo.ts) must decide exactly as the full simulation: a table of tricky policies
 * (like iam-simulate's coreEngineTests), each decided in full and through the shortcut, in two payers one after the
 * other so the second is answered from what the first left in the cross-payer memos.
 */
interface Case {
  name: string;
  principals?: string[];
  boundary: PolicyDocument | null;
  identity: (PolicyDocument | NamedPolicy)[];
  requests: (ProbeStep & { expect: Decision | Record<string, Decision> })[];
}

const cases = JSON.parse(
  readFileSync(new URL('./testing/boundary-shortcut-cases.json', import.meta.url), 'utf8'),
) as Case[];
const ACCOUNTS = ['222222222222', '333333333333'];
const now = new Date('2026-11-15T12:00:00Z');

const inAccount = <T>(x: T, acct: string): T => JSON.parse(JSON.stringify(x).replaceAll('<account>', acct)) as T;
const named = (p: PolicyDocument | NamedPolicy, i: number): NamedPolicy =>
  'document' in p && 'name' in p ? (p as NamedPolicy) : { name: `identity-${i + 1}`, document: p as PolicyDocument };
const userCaller = (acct: string, name: string): Caller => ({
  kind: 'user',
  arn: `arn:aws:iam::${acct}:user/${name}`,
  accountId: acct,
  name,
  id: `AIDA${name.toUpperCase().replace(/[^A-Z]/g, '')}`,
});

function sets(c: Case, acct: string): { identity: NamedPolicy[]; boundary: NamedPolicy | null } {
  const doc = inAccount(c, acct);
  return {
    identity: doc.identity.map(named),
    boundary: doc.boundary ? { name: 'Boundary', document: doc.boundary } : null,
  };
}

afterAll(() => setPolicyShortcuts(true));

describe('boundary shortcut table', () => {
  resetPolicyMemo();
  for (const c of cases)
    it(c.name, () => {
      for (const acct of ACCOUNTS)
        for (const name of c.principals ?? ['partner-admin']) {
          const { identity, boundary } = sets(c, acct);
          const caller = userCaller(acct, name);
          setPolicyShortcuts(false);
          const full = new PolicySet(identity, boundary);
          setPolicyShortcuts(true);
          const fast = new PolicySet(identity, boundary);
          for (const r of inAccount(c.requests, acct)) {
            const { expect: want, ...step } = r;
            const expected = typeof want === 'string' ? want : (want[name] ?? want[acct]);
            const req = requestFor(caller, step, now);
            const where = `${acct} ${name} ${step.action} ${step.resource}`;
            setPolicyShortcuts(false);
            expect(full.simulate(req).result, where).toBe(expected);
            setPolicyShortcuts(true);
            expect(fast.allows(req), where).toBe(expected === 'Allowed');
            const outcome = fast.simulateUnlessBoundaryDenies(req);
            if (outcome) expect(outcome, where).toEqual(full.simulate(req));
            else expect(expected, where).not.toBe('Allowed');
          }
        }
    });
});

describe('boundary shortcut on every catalogue request', () => {
  const settings = defaultSettings();
  const boundaries: [string, PolicyDocument][] = [];
  for (const c of cases) if (c.boundary) boundaries.push([c.name, c.boundary]);
  boundaries.push(['the reference boundary', referenceBoundary(settings, '<account>')]);
  boundaries.push([
    'the reference boundary without its tampering and pass-role denies',
    withoutSids(referenceBoundary(settings, '<account>'), 'DenyBoundaryTampering', 'DenyPassUnboundedRole'),
  ]);
  for (const [label, template] of boundaries)
    it(label, () => {
      resetPolicyMemo();
      let compared = 0;
      for (const acct of ACCOUNTS) {
        const boundary = inAccount(template, acct);
        const boundaryArn = boundaryArnFor(settings, acct);
        const targets = syntheticTargets(settings, acct, boundaryArn, boundary);
        const callers: Caller[] = [
          userCaller(acct, 'partner-admin'),
          { kind: 'role', arn: `arn:aws:iam::${acct}:role/PartnerAdmin`, accountId: acct, name: 'PartnerAdmin' },
        ];
        for (const identity of [
          [ADMINISTRATOR_ACCESS],
          [
            {
              name: 'iam-only',
              document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] },
            },
          ],
        ]) {
          setPolicyShortcuts(false);
          const full = new PolicySet(identity, { name: 'Boundary', document: boundary });
          setPolicyShortcuts(true);
          const fast = new PolicySet(identity, { name: 'Boundary', document: boundary });
          for (const method of ESCALATION_METHODS)
            for (const route of method.routes(targets))
              for (const step of route.steps)
                for (const caller of callers)
                  for (const variant of [undefined, ...targets.attackerVariants]) {
                    const req = requestFor(caller, withResourceTags(step, targets), now, variant);
                    setPolicyShortcuts(false);
                    const want = full.simulate(req).result === 'Allowed';
                    setPolicyShortcuts(true);
                    expect(fast.allows(req), `${acct} ${caller.name} ${req.action} ${req.resource}`).toBe(want);
                    compared++;
                  }
        }
      }
      expect(compared).toBeGreaterThan(200);
    }, 60_000);
});

describe('analyzePayer with and without the shortcut', () => {
  const settings = defaultSettings();
  const B = boundaryArnFor(settings, FIXTURE_PAYER);
  const acct = FIXTURE_PAYER;
  const holed = withoutSids(referenceBoundary(settings, acct), 'DenyBoundaryTampering', 'DenyGovernanceTampering');
  const variants: [string, PayerEvidence][] = [
    ['a compliant payer', compliantEvidence()],
    ['a holed boundary deployed', deployBoundary(compliantEvidence(), holed, B)],
    [
      'fenced users in a group whose policies grant and deny, an unfenced role, a principal-variable policy',
      editDetails(deployBoundary(compliantEvidence(), holed, B), (d) => {
        d.groups.push({
          arn: `arn:aws:iam::${acct}:group/admins`,
          name: 'admins',
          path: '/',
          inlinePolicies: [
            {
              name: 'Admins',
              document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
            },
            {
              name: 'NoTrail',
              document: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Deny', Action: 'cloudtrail:*', Resource: '*' }],
              },
            },
          ],
          attachedPolicies: [],
        } as never);
        for (const name of ['ops-1', 'ops-2'])
          d.users.push(user(acct, name, { groups: ['admins'], permissionsBoundaryArn: B }));
        d.users.push(
          user(acct, 'self-service', {
            permissionsBoundaryArn: B,
            inlinePolicies: [
              {
                name: 'OwnKeys',
                document: {
                  Version: '2012-10-17',
                  Statement: [
                    { Effect: 'Allow', Action: 'iam:*', Resource: `arn:aws:iam::${acct}:user/\${aws:username}` },
                  ],
                },
              },
            ],
          }),
        );
        d.roles.push(
          role(acct, 'legacy-admin', {
            attachedPolicies: [{ name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
          }),
        );
      }),
    ],
  ];
  for (const [label, evidence] of variants)
    it(label, () => {
      const shown = (on: boolean) => {
        setPolicyShortcuts(on);
        resetPolicyMemo();
        const a = analyzePayer(evidence, settings, { now });
        return { ...a, stats: { ...a.stats, simulations: 0, durationMs: 0 } };
      };
      const full = shown(false);
      const fast = shown(true);
      expect(fast).toEqual(full);
      if (label !== 'a compliant payer')
        expect(full.principals.some((p) => p.openPaths.length) || !!full.adminOpenPaths?.length).toBe(true);
    }, 60_000);
});
