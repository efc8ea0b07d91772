import { defaultSettings } from '@payerguard/core/settings';
import { compliantEvidence, FIXTURE_NOW, withEvidence } from '@payerguard/core/testing/evidence';
import { afterAll, describe, expect, it } from 'vitest';
import { EvaluationPool, inlineEvaluator } from './pool.js';

describe('evaluation threads', () => {
  const pool = new EvaluationPool(2);
  afterAll(() => pool.close());
  const settings = defaultSettings();

  it('give the same findings as evaluating on the calling thread', async () => {
    const payers = [
      compliantEvidence(),
      withEvidence(compliantEvidence(), (e) => {
        if (e.iam?.authorizationDetails.status === 'ok')
          e.iam.authorizationDetails.data.users[0]!.permissionsBoundaryArn = undefined;
      }),
    ];
    for (const evidence of payers) {
      const input = { evidence, settings, now: FIXTURE_NOW, lastAccessOkAt: FIXTURE_NOW };
      const [threaded, inline] = await Promise.all([pool.evaluate(input), inlineEvaluator.evaluate(input)]);
      expect(threaded.findings.length).toBeGreaterThan(10);
      expect(threaded).toEqual(inline);
    }
  });

  it('turns evidence a control cannot read into unknown findings, never a lost payer', async () => {
    const broken = { ...compliantEvidence(), iam: { nonsense: true } } as never;
    const out = await pool.evaluate({ evidence: broken, settings, now: FIXTURE_NOW });
    expect(out.findings.some((f) => f.status === 'unknown')).toBe(true);
    const odd = {
      ...compliantEvidence(),
      iam: { authorizationDetails: { status: 'ok', api: 'iam:GetAccountAuthorizationDetails', data: { users: 'x' } } },
      organizations: { accounts: { status: 'ok', api: 'organizations:ListAccounts', data: [{ id: 1 }] } },
    } as never;
    const both = await pool.evaluate({ evidence: odd, settings, now: FIXTURE_NOW });
    expect(both.findings.some((f) => f.status === 'unknown')).toBe(true);
    // The view of odd evidence still lists what it can, and the failed policy analysis says so.
    expect(both.view?.memberAccounts).toHaveLength(1);
    expect(both.view?.principals).toEqual([]);
  });

  it('builds the payer view beside the findings', async () => {
    const { view } = await pool.evaluate({ evidence: compliantEvidence(), settings, now: FIXTURE_NOW });
    expect(view?.principals.length).toBeGreaterThan(0);
    expect(view?.payer.policyAnalysisError).toBeNull();
    expect(view?.boundaryCoverage.covered).toBe(view?.boundaryCoverage.partnerPrincipals);
  });

  it('refuses work once closed', async () => {
    const p = new EvaluationPool(1);
    await p.close();
    await expect(p.evaluate({ evidence: compliantEvidence(), settings, now: FIXTURE_NOW })).rejects.toThrow(/closed/);
  });
});
