import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import { API, type RegionScope } from '@payerguard/core';
import {
  DEFAULT_ENABLED_REGIONS,
  ENABLED_REGION_STATUSES,
  GLOBAL_EVENTS_REGION,
  isRegionName,
  regionsToRead,
} from '@payerguard/core/data/aws-regions';
import { capture, MalformedAnswer } from '../aws/call.js';
import { payerClient } from '../aws/clients.js';
import { type CollectorContext, MAX_PAGES, pagedBudget } from './context.js';

/**
 * Which regions to read root events and monitor rules from: us-east-1 plus every region the payer has enabled (Account
 * ListRegions). If ListRegions cannot be read, the regions enabled in every account are read instead and the evidence
 * says so: opt-in regions the payer may have enabled are then not seen.
 */
export async function collectRegionScope(ctx: CollectorContext): Promise<RegionScope> {
  // Account is a global service answered from us-east-1 whatever AWS_REGION is.
  const client = payerClient(AccountClient, ctx, GLOBAL_EVENTS_REGION);
  const enabled = await capture<string[]>(API.listRegions, pagedBudget(ctx), async (abortSignal, ids) => {
    const names: string[] = [];
    let NextToken: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES) throw new MalformedAnswer(`ListRegions still paginating after ${MAX_PAGES} pages`);
      const out = await client.send(
        new ListRegionsCommand({ RegionOptStatusContains: [...ENABLED_REGION_STATUSES], MaxResults: 50, NextToken }),
        { abortSignal },
      );
      ids.add(out);
      if (out.Regions !== undefined && !Array.isArray(out.Regions))
        throw new MalformedAnswer('ListRegions: Regions is not a list');
      for (const r of out.Regions ?? []) {
        // The filter is the server's; checking the status again costs nothing and survives a server that ignores it.
        if (!r.RegionName || !isRegionName(r.RegionName))
          throw new MalformedAnswer(`ListRegions returned a region without a valid name: ${String(r.RegionName)}`);
        if ((ENABLED_REGION_STATUSES as readonly string[]).includes(r.RegionOptStatus ?? '')) names.push(r.RegionName);
      }
      NextToken = out.NextToken;
      if (!NextToken) return names;
    }
  });
  if (enabled.status === 'ok') return { enabled, read: regionsToRead(enabled.data) };
  return {
    enabled,
    read: regionsToRead(DEFAULT_ENABLED_REGIONS),
    fallbackReason: `${enabled.api} failed (${enabled.errorCode}): read the ${DEFAULT_ENABLED_REGIONS.length} regions enabled in every account; opt-in regions the payer may have enabled were not read.`,
  };
}
