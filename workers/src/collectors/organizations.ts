import { DescribeOrganizationCommand, ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { API, type MemberAccount, type OrganizationInfo, type PayerEvidence } from '@payerguard/core';
import { capture, MalformedAnswer } from '../aws/call.js';
import { payerClient } from '../aws/clients.js';
import { type CollectorContext, MAX_ITEMS, MAX_PAGES, pagedBudget, singleBudget } from './context.js';

const iso = (d: Date | undefined) => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : '');

/** The organization the payer manages (its management email is the root email) and every member account. */
export async function collectOrganizations(
  ctx: CollectorContext,
): Promise<NonNullable<PayerEvidence['organizations']>> {
  const client = payerClient(OrganizationsClient, ctx);

  const organization = capture<OrganizationInfo>(
    API.describeOrganization,
    singleBudget(ctx),
    async (abortSignal, ids) => {
      const out = await client.send(new DescribeOrganizationCommand({}), { abortSignal });
      ids.add(out);
      const o = out.Organization;
      if (!o?.Id || !o.MasterAccountId)
        throw new MalformedAnswer('DescribeOrganization answered without an organization id');
      return {
        id: o.Id,
        arn: o.Arn ?? '',
        featureSet: o.FeatureSet ?? '',
        masterAccountId: o.MasterAccountId,
        masterAccountArn: o.MasterAccountArn ?? '',
        masterAccountEmail: (o.MasterAccountEmail ?? '').toLowerCase(),
      };
    },
  );

  const accounts = capture<MemberAccount[]>(API.listAccounts, pagedBudget(ctx), async (abortSignal, ids) => {
    const all: MemberAccount[] = [];
    let NextToken: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGES) throw new MalformedAnswer(`ListAccounts still paginating after ${MAX_PAGES} pages`);
      const out = await client.send(new ListAccountsCommand({ NextToken }), { abortSignal });
      ids.add(out);
      if (out.Accounts !== undefined && !Array.isArray(out.Accounts))
        throw new MalformedAnswer('ListAccounts: Accounts is not a list');
      for (const a of out.Accounts ?? []) {
        if (!a.Id) throw new MalformedAnswer('ListAccounts returned an account without an Id');
        if (all.length < MAX_ITEMS)
          all.push({
            id: a.Id,
            arn: a.Arn ?? '',
            name: a.Name ?? '',
            email: (a.Email ?? '').toLowerCase(),
            status: a.State ?? a.Status ?? '',
            joinedMethod: a.JoinedMethod ?? '',
            joinedTimestamp: iso(a.JoinedTimestamp),
          });
      }
      NextToken = out.NextToken;
      if (!NextToken) return all;
    }
  });

  const [o, a] = await Promise.all([organization, accounts]);
  return { organization: o, accounts: a };
}
