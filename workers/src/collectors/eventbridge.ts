import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { API, type EventRule, type PayerEvidence, type RegionalRules, type RuleTarget } from '@payerguard/core';
import { GLOBAL_EVENTS_REGION, regionsToRead } from '@payerguard/core/data/aws-regions';
import { capture, MalformedAnswer } from '../aws/call.js';
import { payerClient } from '../aws/clients.js';
import { allLimited } from '../limit.js';
import { type CollectorContext, MAX_ITEMS, MAX_PAGES, pagedBudget } from './context.js';

/** Regions read at once per payer. */
const REGION_PARALLELISM = 3;

/**
 * The rules on the default event bus of every region in ctx.regions, and where the distributor's monitor rule
 * forwards to in each (ListTargetsByRule). EventBridge is regional: a rule in us-east-1 sees nothing of eu-central-1.
 */
export async function collectEventBridge(ctx: CollectorContext): Promise<NonNullable<PayerEvidence['eventbridge']>> {
  const regions = ctx.regions ?? regionsToRead([]);
  const answers = await allLimited(
    regions.map((region) => () => collectRegionRules(ctx, region)),
    REGION_PARALLELISM,
  );
  const byRegion: Record<string, RegionalRules> = {};
  regions.forEach((region, i) => {
    byRegion[region] = answers[i]!;
  });
  // `rules` stays us-east-1's list: the boundary analysis and older readers use it.
  const home = byRegion[GLOBAL_EVENTS_REGION] ?? answers[0]!;
  return { rules: home.rules, byRegion };
}

async function collectRegionRules(ctx: CollectorContext, region: string): Promise<RegionalRules> {
  const client = payerClient(EventBridgeClient, ctx, region);
  const rules = await capture<EventRule[]>(API.listRules, pagedBudget(ctx), async (abortSignal, ids) => {
    const all: EventRule[] = [];
    let NextToken: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES) throw new MalformedAnswer(`ListRules still paginating after ${MAX_PAGES} pages`);
      const out = await client.send(new ListRulesCommand({ NextToken, Limit: 100 }), { abortSignal });
      ids.add(out);
      if (out.Rules !== undefined && !Array.isArray(out.Rules))
        throw new MalformedAnswer('ListRules: Rules is not a list');
      for (const r of out.Rules ?? []) {
        if (!r.Name) throw new MalformedAnswer('ListRules returned a rule without a Name');
        if (all.length < MAX_ITEMS)
          all.push({
            name: r.Name,
            arn: r.Arn ?? '',
            state: r.State ?? '',
            ...(r.EventPattern ? { eventPattern: r.EventPattern } : {}),
            ...(r.EventBusName ? { eventBusName: r.EventBusName } : {}),
            ...(r.Description ? { description: r.Description } : {}),
          });
      }
      NextToken = out.NextToken;
      if (!NextToken) return all;
    }
  });
  const name = ctx.settings.protectedResources.monitorRuleName;
  if (rules.status !== 'ok' || !rules.data.some((r) => r.name === name)) return { rules };
  const monitorRuleTargets = await capture<RuleTarget[]>(
    API.listTargetsByRule,
    pagedBudget(ctx),
    async (abortSignal, ids) => {
      const all: RuleTarget[] = [];
      let NextToken: string | undefined;
      for (let page = 0; ; page++) {
        if (page >= MAX_PAGES) throw new MalformedAnswer(`ListTargetsByRule still paginating after ${MAX_PAGES} pages`);
        const out = await client.send(new ListTargetsByRuleCommand({ Rule: name, NextToken, Limit: 100 }), {
          abortSignal,
        });
        ids.add(out);
        if (out.Targets !== undefined && !Array.isArray(out.Targets))
          throw new MalformedAnswer('ListTargetsByRule: Targets is not a list');
        for (const t of out.Targets ?? []) {
          if (!t.Id || !t.Arn) throw new MalformedAnswer('ListTargetsByRule returned a target without Id or Arn');
          if (all.length < MAX_ITEMS) all.push({ id: t.Id, arn: t.Arn });
        }
        NextToken = out.NextToken;
        if (!NextToken) return all;
      }
    },
  );
  return { rules, monitorRuleTargets };
}
