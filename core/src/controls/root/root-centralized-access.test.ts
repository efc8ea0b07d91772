import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext, withEvidence } from '../../testing/evidence.js';
import { rootCentralizedAccess as c } from './root-centralized-access.js';

describe('ROOT-CENTRALIZED-ACCESS', () => {
  it('passes with both features on', () =>
    expect(c.evaluate(compliantEvidence(), fixtureContext())[0]?.status).toBe('pass'));
  it('warns (not fails) when the features are off', () => {
    expect(c.evaluate(breaks.centralizedRootOff(compliantEvidence()), fixtureContext())[0]).toMatchObject({
      status: 'warn',
      evidence: { missing: ['RootCredentialsManagement', 'RootSessions'] },
    });
  });
  it('warns naming the one feature missing', () => {
    const ev = withEvidence(compliantEvidence(), (e) => {
      if (e.iam?.organizationsFeatures.status === 'ok')
        e.iam.organizationsFeatures.data.enabledFeatures = ['RootCredentialsManagement'];
    });
    expect(c.evaluate(ev, fixtureContext())[0]?.evidence.missing).toEqual(['RootSessions']);
  });
  it('is unknown when ListOrganizationsFeatures failed', () => {
    expect(
      c.evaluate(breaks.deny(compliantEvidence(), 'iam.organizationsFeatures', 'error'), fixtureContext())[0]?.status,
    ).toBe('unknown');
  });
  it.each([
    'ServiceAccessNotEnabledException',
    'OrganizationNotFoundException',
    'OrganizationNotInAllFeaturesModeException',
    'AccountNotManagementOrDelegatedAdministratorException',
  ] as const)('warns (a finding, not unknown) when IAM answered %s', (answeredWith) => {
    const ev = withEvidence(compliantEvidence(), (e) => {
      if (e.iam?.organizationsFeatures.status === 'ok')
        e.iam.organizationsFeatures.data = { enabledFeatures: [], answeredWith };
    });
    const [r] = c.evaluate(ev, fixtureContext());
    expect(r).toMatchObject({ status: 'warn', evidence: { answeredWith } });
    expect(r?.message).toContain(answeredWith);
  });
});
