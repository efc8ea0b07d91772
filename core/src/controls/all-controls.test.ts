import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONTROLS, controlById } from './all-controls.js';

const here = dirname(fileURLToPath(import.meta.url));

const REQUIRED = [
  'OWN-ROOT-EMAIL-DOMAIN',
  'OWN-PAYER-IS-MANAGEMENT',
  'OWN-BILLING-CONTACT',
  'OWN-MEMBER-DOMAINS',
  'ACCESS-COLLECTOR-ROLE',
  'ACCESS-LAST-SUCCESS',
  'ACCESS-BILLING-ROLE',
  'ROOT-MFA',
  'ROOT-HARDWARE-MFA',
  'ROOT-NO-ACCESS-KEYS',
  'ROOT-NO-SIGNING-CERTS',
  'ROOT-SIGNIN-MFA',
  'ROOT-ACTIVITY-ROOT-ONLY-TASKS',
  'ROOT-ACTIVITY-IN-WINDOW',
  'ROOT-MONITOR-RULE',
  'ROOT-CENTRALIZED-ACCESS',
  'GOV-ORG-TRAIL',
];

describe('control registry', () => {
  it('lists every required control once, under a stable id', () => {
    const ids = CONTROLS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of REQUIRED) expect(controlById(id)?.id).toBe(id);
    for (const id of ids) expect(id).toMatch(/^[A-Z]+(-[A-Z0-9]+)+$/);
  });

  it('every control has what a partner needs to act, and lives in its own file with a test beside it', () => {
    for (const c of CONTROLS) {
      expect(c.title.length, c.id).toBeGreaterThan(10);
      expect(c.rationale.length, c.id).toBeGreaterThan(40);
      expect(c.remediation.length, c.id).toBeGreaterThan(40);
      expect(c.references.length, c.id).toBeGreaterThan(0);
      for (const r of c.references) expect(r.url, c.id).toMatch(/^https:\/\//);
      expect(c.evidence.length, c.id).toBeGreaterThan(0);
      const file = join(here, c.category, c.id.toLowerCase());
      expect(existsSync(`${file}.ts`), `${file}.ts`).toBe(true);
      expect(existsSync(`${file}.test.ts`), `${file}.test.ts`).toBe(true);
    }
  });

  it('only the access controls judge a payer the collector could not reach', () => {
    expect(
      CONTROLS.filter((c) => c.runsWithoutAccess)
        .map((c) => c.id)
        .sort(),
    ).toEqual(['ACCESS-COLLECTOR-ROLE', 'ACCESS-LAST-SUCCESS']);
  });
});
