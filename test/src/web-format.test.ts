/**
 * The dashboard formats numbers and dates by hand (web/src/format.ts: the first Intl call in a page costs 30-100 ms of
 * ICU loading on the overview's first render). They must read exactly as Intl's en-US / en-GB output did.
 */
import { describe, expect, it } from 'vitest';
import { fmtDate, fmtInt, fmtMoney, fmtMoneyShort } from '../../web/src/format.js';

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumFractionDigits: 1,
});

/** Round numbers, their neighbours and the places where rounding moves to the next unit. */
function samples(): number[] {
  const xs = [0, 0.4, 0.5, 0.96, 1, 7, 12, 99.95, 999, 999.94, 999.96, 1000, 1049, 1050, 1051, 9_999, 10_000, 123_456];
  for (let e = 3; e <= 13; e++)
    for (const m of [1, 1.04, 1.05, 1.25, 2.5, 9.94, 9.96, 99.94, 99.96, 999.4, 999.94, 999.96])
      xs.push(m * 10 ** e, Math.round(m * 10 ** e) + 1);
  // A spread of ordinary amounts (deterministic).
  for (let i = 1; i < 2000; i++) xs.push(((i * 7919) % 100_003) * (i % 7 === 0 ? 1000 : i % 3 === 0 ? 10 : 1) + i / 7);
  // Negative amounts too, but not those that round to zero: Intl writes "-$0" there, the dashboard "$0" (below).
  return xs.flatMap((x) => (Math.round(x) === 0 ? [x] : [x, -x]));
}

describe('dashboard number formats', () => {
  it('whole numbers read as en-US toLocaleString', () => {
    for (const x of samples())
      expect(fmtInt(x), String(x)).toBe(x.toLocaleString('en-US', { maximumFractionDigits: 0 }));
  });
  it('money reads as Intl currency, whole dollars', () => {
    for (const x of samples()) expect(fmtMoney(x), String(x)).toBe(money.format(x));
    expect(fmtMoney(null)).toBe('—');
  });
  it('short money reads as Intl compact currency', () => {
    // Node's ICU keeps a trailing ".0" ("$12.0M") where Chromium's drops it ("$12M"); the dashboard drops it.
    for (const x of samples())
      expect(fmtMoneyShort(x), String(x)).toBe(compact.format(x).replace(/\.0(?=[KMBT]?$)/, ''));
    expect(fmtMoneyShort(undefined)).toBe('—');
  });
  it('nothing rounds to a negative zero', () => {
    for (const x of [-0, -0.04, -0.4])
      expect([fmtInt(x), fmtMoney(x), fmtMoneyShort(x)]).toEqual(['0', '$0', x === -0.4 ? '-$0.4' : '$0']);
  });
});

describe('dashboard dates', () => {
  it('read as en-GB with the UTC zone named', () => {
    const en = (d: Date) =>
      `${d.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' })} UTC`;
    // ICU releases differ on September's short name ("Sep" or "Sept"); the dashboard writes "Sep".
    for (let i = 0; i < 500; i++) {
      const d = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000 * 3.7 + i * 61_000);
      expect(fmtDate(d.toISOString())).toBe(en(d).replace('Sept', 'Sep'));
    }
    expect(fmtDate(null)).toBe('—');
    expect(fmtDate('not a date')).toBe('not a date');
  });
});
