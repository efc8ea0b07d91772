import { describe, expect, it } from 'vitest';
import { jsonShape } from './json-bounds.js';

describe('jsonShape', () => {
  it('measures depth and values of ordinary JSON', () => {
    expect(jsonShape(1)).toEqual({ depth: 1, nodes: 1 });
    expect(jsonShape({ Statement: [{ Effect: 'Deny', Action: ['iam:*'] }] })).toEqual({ depth: 5, nodes: 6 });
  });

  it('walks a value nested 100,000 deep without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(jsonShape(deep).depth).toBe(100_000);
  });

  it('stops counting past the limit it is given', () => {
    expect(
      jsonShape(
        Array.from({ length: 1_000 }, () => 1),
        10,
      ).nodes,
    ).toBe(11);
  });
});
