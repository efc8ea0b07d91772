import { describe, expect, it } from 'vitest';
import { analyzePayer } from '../policy/analyze.js';
import { defaultSettings } from '../settings.js';
import { compliantEvidence, withEvidence } from '../testing/evidence.js';
import { boundaryRows } from './xlsx.js';

describe('XLSX boundary sheet', () => {
  it("calls a principal the distributor's exactly when the boundary controls' analysis does", () => {
    const s = defaultSettings();
    const ev = withEvidence(compliantEvidence(), (e) => {
      if (e.iam?.authorizationDetails.status !== 'ok') return;
      const [u] = e.iam.authorizationDetails.data.users;
      const tag = s.distributorPrincipals.tags[0]!;
      // Under a distributor path only by prefix (the controls want the path itself), and one owned by its tag.
      e.iam.authorizationDetails.data.users.push(
        { ...u!, name: 'nested', arn: `${u!.arn}-nested`, path: `${s.distributorPrincipals.paths[0]}team/` },
        { ...u!, name: 'tagged', arn: `${u!.arn}-tagged`, path: '/', tags: { [tag.key]: tag.value } },
      );
    });
    const analysis = analyzePayer(ev, s);
    const owned = new Map(analysis.principals.map((p) => [p.arn, p.isDistributorOwned]));
    const rows = boundaryRows(s, ev);
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) expect(r.distributorOwned === 'yes', r.name).toBe(owned.get(r.arn));
    expect(rows.find((r) => r.name === 'tagged')?.coverage).toBe('exempt');
    expect(rows.find((r) => r.name === 'nested')?.distributorOwned).toBe('no');
  });
});
