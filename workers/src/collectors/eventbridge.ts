import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { API, type EventRule, type PayerEvidence } from '@payerguard/core';
import { capture, MalformedAnswer } from '../aws/call.js';
import { clientConfig, limitResponseSize } from '../aws/client-options.js';
import { rateLimit } from '../aws/rate-limit.js';
import { type CollectorContext, MAX_ITEMS, MAX_PAGES, pagedBudget } from './context.js';

/** The rules on the default event bus; the root-activity monitor control looks for the distributor's rule among them. */
export async function collectEventBridge(ctx: CollectorContext): Promise<NonNullable<PayerEvidence['eventbridge']>> {
  const client = new EventBridgeClient(clientConfig(ctx.session, ctx.credentials));
  limitResponseSize(client);
  rateLimit(client, ctx.accountId);
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
  return { rules };
}
