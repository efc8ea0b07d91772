import { describe, expect, it } from 'vitest';
import { parseRegistry } from './registry-file.js';

const good = {
  partnerId: 'acme-1',
  partnerName: 'Acme',
  payerAccountId: '222222222222',
  roleArn: 'arn:aws:iam::222222222222:role/PayerGuardCollector',
  externalId: 'pg-ext-123456',
};

describe('parseRegistry', () => {
  it('reads JSON Lines and JSON arrays alike', () => {
    expect(parseRegistry(JSON.stringify(good)).entries).toEqual([good]);
    expect(parseRegistry(JSON.stringify([good])).entries).toEqual([good]);
  });

  it('reports every bad row by its line number', () => {
    const text = [
      JSON.stringify(good),
      '{not json',
      JSON.stringify({ ...good, payerAccountId: '123' }),
      JSON.stringify({ ...good, payerAccountId: '333333333333' }),
      JSON.stringify(good),
    ].join('\n');
    const { problems } = parseRegistry(text);
    expect([...new Set(problems.map((p) => p.line))]).toEqual([2, 3, 4, 5]);
    expect(problems.find((p) => p.line === 4)?.message).toContain('not in the payer 333333333333');
    expect(problems.find((p) => p.line === 5)?.message).toContain('already listed on line 1');
  });

  it('calls an empty registry a problem, not an empty import', () => {
    expect(parseRegistry('\n\n').problems).toEqual([{ line: 1, message: 'the registry is empty' }]);
  });
});
