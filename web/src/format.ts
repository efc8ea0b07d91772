// Numbers and dates are formatted by hand, in the one locale the dashboard speaks (en-US numbers, UTC dates): the first
// Intl or toLocaleString call in a page loads ICU's locale data, 30-100 ms of main thread on our 2-core machines, and
// it fell right on the overview's first render. These few shapes need none of that machinery.

/** 1234567 -> "1,234,567" (rounded to a whole number). */
export function fmtInt(n: number): string {
  const r = Math.round(Math.abs(n));
  return `${n < 0 && r > 0 ? '-' : ''}${String(r).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

/** Whole dollars: 22858.4 -> "$22,858". */
export const fmtMoney = (n: number | null | undefined) =>
  n == null ? '—' : `${n < 0 && Math.round(-n) > 0 ? '-' : ''}$${fmtInt(Math.abs(n))}`;

const COMPACT: [number, string][] = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'K'],
];
const oneDecimal = (x: number) => String(Math.round(x * 10) / 10);

/** Short dollars, one decimal at most: 734800 -> "$734.8K", 38900000 -> "$38.9M", 999960 -> "$1M". */
export function fmtMoneyShort(n: number | null | undefined): string {
  if (n == null) return '—';
  const a = Math.abs(n);
  const sign = n < 0 && Math.round(a * 10) > 0 ? '-' : '';
  for (let i = 0; i < COMPACT.length; i++) {
    const [unit, suffix] = COMPACT[i]!;
    if (a < unit) continue;
    const v = Math.round((a / unit) * 10) / 10;
    // 999,960 rounds to 1000K: say 1M, as a reader would.
    if (v >= 1000 && i > 0) return `${sign}$${oneDecimal(a / COMPACT[i - 1]![0])}${COMPACT[i - 1]![1]}`;
    return `${sign}$${oneDecimal(v)}${suffix}`;
  }
  // Below 1,000 a rounding up to 1,000 says 1K.
  return Math.round(a * 10) / 10 >= 1000 ? `${sign}$1K` : `${sign}$${oneDecimal(a)}`;
}
export const fmtPct = (share: number | null | undefined) => (share == null ? '—' : `${Math.round(share * 100)}%`);
export const fmtScore = (n: number | null | undefined) => (n == null ? '—' : String(Math.round(n)));

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (x: number) => String(x).padStart(2, '0');

/** "03 Dec 2026, 13:46 UTC". */
export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
}

export function fmtDay(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 10);
}

export function fmtAgo(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const s = (Date.now() - new Date(iso).getTime()) / 1000;
  if (!Number.isFinite(s)) return iso;
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  const days = Math.round(s / 86400);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}

export function fmtBytes(n: number | null | undefined): string {
  if (n == null) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export const isoInDays = (days: number) => new Date(Date.now() + days * 86400_000).toISOString().slice(0, 10);
