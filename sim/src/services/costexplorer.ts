import { ApiError } from '../protocols/errors.js';
import { decodeToken, type JsonParams } from '../protocols/json.js';
import type { CallContext } from './context.js';

const DAY = 86_400_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const METRICS = [
  'AmortizedCost',
  'BlendedCost',
  'NetAmortizedCost',
  'NetUnblendedCost',
  'NormalizedUsageAmount',
  'UnblendedCost',
  'UsageQuantity',
];

const ymd = (d: Date) => d.toISOString().slice(0, 10);

export function getCostAndUsage(ctx: CallContext, p: JsonParams) {
  const period = p.object('TimePeriod');
  const startS = period?.Start;
  const endS = period?.End;
  if (typeof startS !== 'string' || typeof endS !== 'string' || !DATE_RE.test(startS) || !DATE_RE.test(endS))
    throw new ApiError('ValidationException', 'TimePeriod requires Start and End dates in the form YYYY-MM-DD.');
  const start = new Date(`${startS}T00:00:00Z`);
  const end = new Date(`${endS}T00:00:00Z`);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || start >= end)
    throw new ApiError('ValidationException', 'Start date must be earlier than end date.');
  const granularity = p.str('Granularity');
  if (granularity !== 'MONTHLY' && granularity !== 'DAILY')
    throw new ApiError('ValidationException', 'Granularity must be MONTHLY or DAILY.');
  const metrics = p.array('Metrics').map(String);
  if (metrics.length === 0) throw new ApiError('ValidationException', 'Metrics are required.');
  for (const m of metrics) if (!METRICS.includes(m)) throw new ApiError('ValidationException', `Invalid metric: ${m}`);
  if (p.array('GroupBy').length)
    throw new ApiError('ValidationException', 'GroupBy is not supported by the simulator.');
  decodeToken(p.str('NextPageToken'), 'ce', 'InvalidNextTokenException');
  const horizon = new Date(ctx.now.getTime() - 14 * 30 * DAY);
  if (start < horizon)
    throw new ApiError('DataUnavailableException', 'Data is not available. Please try to adjust the time period.');

  const spend = ctx.account.spend;
  const buckets: { s: Date; e: Date }[] = [];
  for (let s = start; s < end; ) {
    const next =
      granularity === 'MONTHLY'
        ? new Date(Date.UTC(s.getUTCFullYear(), s.getUTCMonth() + 1, 1))
        : new Date(s.getTime() + DAY);
    const e = next < end ? next : end;
    buckets.push({ s, e });
    s = e;
  }
  if (buckets.length > 400)
    throw new ApiError('ValidationException', 'The requested time period is too long for DAILY granularity.');
  const amountIn = (s: Date, e: Date) => {
    let total = 0;
    let estimated = false;
    for (const m of spend) {
      const ms = new Date(`${m.start}T00:00:00Z`);
      const me = new Date(`${m.end}T00:00:00Z`);
      // The current month's figure covers only the days so far.
      const covered = m.estimated
        ? new Date(Math.max(ms.getTime() + DAY, Math.min(me.getTime(), ctx.now.getTime())))
        : me;
      const overlap = Math.min(e.getTime(), covered.getTime()) - Math.max(s.getTime(), ms.getTime());
      if (overlap > 0) {
        total += (m.amount * overlap) / (covered.getTime() - ms.getTime());
        estimated ||= m.estimated;
      }
    }
    return { total, estimated };
  };
  return {
    GroupDefinitions: [],
    ResultsByTime: buckets.map(({ s, e }) => {
      const { total, estimated } = amountIn(s, e);
      const Total: Record<string, { Amount: string; Unit: string }> = {};
      for (const m of metrics)
        Total[m] = m.endsWith('Cost')
          ? { Amount: total.toFixed(10), Unit: 'USD' }
          : { Amount: (total * 3.7).toFixed(6), Unit: 'N/A' };
      return { TimePeriod: { Start: ymd(s), End: ymd(e) }, Total, Groups: [], Estimated: estimated };
    }),
    DimensionValueAttributes: [],
  };
}
