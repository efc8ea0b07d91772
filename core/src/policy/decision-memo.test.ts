import { describe, expect, it } from 'vitest';
import { ACCOUNT_TOKEN, Lru, normalizeAccount } from './decision-memo.js';

describe('Lru', () => {
  it('keeps at most `limit` entries, forgetting the least recently used first', () => {
    const lru = new Lru<number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.size).toBe(2);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
  });

  it('keeps false values (a boundary that denies is remembered too)', () => {
    const lru = new Lru<boolean>(1);
    lru.set('denied', false);
    expect(lru.get('denied')).toBe(false);
  });
});

describe('normalizeAccount', () => {
  const acct = '222222222222';
  it('turns the account id into a token', () => {
    expect(normalizeAccount(`arn:aws:iam::${acct}:role/x`, acct)).toBe(`arn:aws:iam::${ACCOUNT_TOKEN}:role/x`);
  });
  it('refuses text where a wildcard or a numeric operator could read the account digits', () => {
    expect(normalizeAccount('arn:aws:iam::2222*:role/x', acct)).toBeUndefined();
    expect(normalizeAccount(`arn:aws:iam::${acct}*:role/x`, acct)).toBeUndefined();
    expect(normalizeAccount(`{"NumericLessThan":{"aws:ResourceAccount":"${acct}"}}`, acct)).toBeUndefined();
  });
});
