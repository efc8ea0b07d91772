import { describe, expect, it } from 'vitest';
import { breaks, compliantEvidence, fixtureContext } from '../../testing/evidence.js';
import { rootNoAccessKeys as c } from './root-no-access-keys.js';

describe('ROOT-NO-ACCESS-KEYS', () => {
  it('passes when both sources show no root keys', () =>
    expect(c.evaluate(compliantEvidence(), fixtureContext())[0]?.status).toBe('pass'));
  it('fails when GetAccountSummary and the credential report show a key', () => {
    const [r] = c.evaluate(breaks.rootAccessKey(compliantEvidence()), fixtureContext());
    expect(r).toMatchObject({
      status: 'fail',
      evidence: { AccountAccessKeysPresent: 1, activeInReport: ['access_key_1_active'] },
    });
  });
  it('fails on the credential report alone even when the summary is unreadable', () => {
    const ev = breaks.deny(breaks.rootAccessKey(compliantEvidence()), 'iam.accountSummary');
    expect(c.evaluate(ev, fixtureContext())[0]?.status).toBe('fail');
  });
  it('passes on the live GetAccountSummary even when the credential report could not be had', () => {
    const [r] = c.evaluate(breaks.deny(compliantEvidence(), 'iam.credentialReport', 'timeout'), fixtureContext());
    expect(r).toMatchObject({ status: 'pass', evidence: { decidedBy: 'iam:GetAccountSummary' } });
  });
  it('judges the live summary first: a key removed since the report was generated is gone', () => {
    const ev = breaks.rootAccessKey(compliantEvidence());
    if (ev.iam?.accountSummary.status === 'ok') ev.iam.accountSummary.data.AccountAccessKeysPresent = 0;
    expect(c.evaluate(ev, fixtureContext())[0]?.status).toBe('pass');
  });
  it('never passes on a stale report when the summary is unreadable, and says the report is stale', () => {
    const ctx = fixtureContext();
    const ev = breaks.deny(compliantEvidence(), 'iam.accountSummary', 'throttled');
    if (ev.iam) ev.iam.credentialReportGeneratedTime = new Date(ctx.now.getTime() - 5 * 3_600_000).toISOString();
    const [r] = c.evaluate(ev, ctx);
    expect(r).toMatchObject({ status: 'unknown', evidence: { credentialReportStale: true } });
    expect(r?.message).toMatch(/stale, older than 4 h/);
    if (ev.iam) ev.iam.credentialReportGeneratedTime = new Date(ctx.now.getTime() - 3_600_000).toISOString();
    expect(c.evaluate(ev, ctx)[0]).toMatchObject({ status: 'pass', evidence: { credentialReportStale: false } });
  });
  it('reports a key seen only in a stale report as a failure, with the report age', () => {
    const ctx = fixtureContext();
    const ev = breaks.deny(breaks.rootAccessKey(compliantEvidence()), 'iam.accountSummary');
    if (ev.iam) ev.iam.credentialReportGeneratedTime = new Date(ctx.now.getTime() - 6 * 3_600_000).toISOString();
    const [r] = c.evaluate(ev, ctx);
    expect(r?.status).toBe('fail');
    expect(r?.message).toMatch(/6\.0 h old: stale/);
  });
});
