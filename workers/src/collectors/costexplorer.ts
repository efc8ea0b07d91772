import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { API, type MonthlySpend, type PayerEvidence } from '@payerguard/core';
import { capture, MalformedAnswer } from '../aws/call.js';
import { payerClient } from '../aws/clients.js';
import { type CollectorContext, MAX_PAGES, pagedBudget } from './context.js';

const ymd = (d: Date) => d.toISOString().slice(0, 10);
const monthStart = (y: number, m: number) => new Date(Date.UTC(y, m, 1));

/**
 * The window asked of Cost Explorer: the last 6 full months plus the current month so far. Cost Explorer's end is
 * exclusive, so "so far" ends tomorrow (which is also the 1st of next month on the last day of a month).
 */
export function spendWindow(now: Date): { start: string; end: string } {
  const start = monthStart(now.getUTCFullYear(), now.getUTCMonth() - 6);
  const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  return { start: ymd(start), end: ymd(tomorrow) };
}

/** Normalises a result period to whole months: [first of the month, first of the next month). */
function monthOf(start: string): { start: string; end: string } {
  const d = new Date(`${start}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw new MalformedAnswer(`GetCostAndUsage: period start "${start}" is not a date`);
  return {
    start: ymd(monthStart(d.getUTCFullYear(), d.getUTCMonth())),
    end: ymd(monthStart(d.getUTCFullYear(), d.getUTCMonth() + 1)),
  };
}

/** Monthly unblended spend of the payer's whole organization. */
export async function collectCostExplorer(ctx: CollectorContext): Promise<NonNullable<PayerEvidence['costExplorer']>> {
  // Cost Explorer has one endpoint, in us-east-1, whatever region the rest of the collection uses.
  const client = payerClient(CostExplorerClient, ctx, 'us-east-1');
  const monthlySpend = await capture<MonthlySpend[]>(
    API.getCostAndUsage,
    pagedBudget(ctx),
    async (abortSignal, ids) => {
      const months: MonthlySpend[] = [];
      let NextPageToken: string | undefined;
      const w = spendWindow(ctx.now);
      const TimePeriod = { Start: w.start, End: w.end };
      for (let page = 0; ; page++) {
        if (page >= MAX_PAGES) throw new MalformedAnswer(`GetCostAndUsage still paginating after ${MAX_PAGES} pages`);
        const out = await client.send(
          new GetCostAndUsageCommand({ TimePeriod, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'], NextPageToken }),
          { abortSignal },
        );
        ids.add(out);
        for (const r of out.ResultsByTime ?? []) {
          if (!r.TimePeriod?.Start) throw new MalformedAnswer('GetCostAndUsage returned a result without a period');
          const m = r.Total?.UnblendedCost;
          const amount = Number(m?.Amount ?? '0');
          if (!Number.isFinite(amount))
            throw new MalformedAnswer(`GetCostAndUsage: amount "${m?.Amount}" is not a number`);
          months.push({
            ...monthOf(r.TimePeriod.Start),
            amount,
            unit: m?.Unit ?? 'USD',
            estimated: r.Estimated ?? false,
          });
        }
        NextPageToken = out.NextPageToken;
        if (!NextPageToken) return months.sort((a, b) => a.start.localeCompare(b.start));
      }
    },
  );
  return { monthlySpend };
}
