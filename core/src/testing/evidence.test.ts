import { describe, expect, it } from 'vitest';
import { isOk } from '../evidence/types.js';
import { boundaryArnFor, defaultSettings } from '../settings.js';
import { breaks, compliantEvidence } from './evidence.js';

describe('evidence fixtures', () => {
  it('the compliant payer is consistent with defaultSettings()', () => {
    const s = defaultSettings();
    const ev = compliantEvidence();
    const auth = ev.iam?.authorizationDetails;
    if (!isOk(auth)) throw new Error('authorization details missing');
    expect(auth.data.policies[0]?.arn).toBe(boundaryArnFor(s, ev.payerAccountId));
    expect(auth.data.users.find((u) => u.name === 'partner-admin')?.permissionsBoundaryArn).toBe(
      boundaryArnFor(s, ev.payerAccountId),
    );
    expect(auth.data.roles.map((r) => r.name)).toEqual(
      expect.arrayContaining([s.collectorRoleName, s.billingRoleName]),
    );
    const rules = ev.eventbridge?.rules;
    expect(isOk(rules) && rules.data[0]?.name).toBe(s.protectedResources.monitorRuleName);
    const trails = ev.cloudtrail?.trails;
    expect(isOk(trails) && trails.data[0]?.name).toBe(s.protectedResources.trailName);
  });

  it('breaks change a copy, never the original', () => {
    const ev = compliantEvidence();
    const before = JSON.stringify(ev);
    const broken = [
      breaks.rootEmail(ev),
      breaks.noRootMfa(ev),
      breaks.rootAccessKey(ev),
      breaks.trail(ev),
      breaks.adminWithoutBoundary(ev),
      breaks.boundaryHole(ev, ['DenyBoundaryTampering']),
      breaks.boundaryDrift(ev),
      breaks.deny(ev, 'iam.accountSummary'),
    ];
    expect(JSON.stringify(ev)).toBe(before);
    for (const b of broken) expect(JSON.stringify(b)).not.toBe(before);
  });

  it('boundary breaks do what they say', () => {
    const ev = compliantEvidence();
    const auth = (e: ReturnType<typeof compliantEvidence>) => {
      const a = e.iam?.authorizationDetails;
      if (!isOk(a)) throw new Error('no authorization details');
      return a.data;
    };
    const sids = (e: ReturnType<typeof compliantEvidence>) => {
      const doc = auth(e).policies[0]?.versions.find((v) => v.isDefaultVersion)?.document;
      return ((doc?.Statement ?? []) as { Sid?: string }[]).map((s) => s.Sid);
    };
    expect(sids(ev)).toContain('DenyBoundaryTampering');
    expect(sids(breaks.boundaryHole(ev, ['DenyBoundaryTampering']))).not.toContain('DenyBoundaryTampering');
    const drift = breaks.boundaryDrift(ev);
    expect(auth(drift).policies[0]?.defaultVersionId).toBe('v2');
    expect(sids(drift)).toContain('PartnerAddedReadAccess');
    expect(auth(breaks.adminWithoutBoundary(ev)).users[0]?.permissionsBoundaryArn).toBeUndefined();
    expect(() => breaks.deny(ev, 'iam.nothingHere')).toThrow(/no evidence at iam.nothingHere/);
  });
});
