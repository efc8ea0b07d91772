import { ListRegionsCommand } from '@aws-sdk/client-account';
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeRuleCommand, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { hubEventBusArnFor, type RegistryEntry } from '@payerguard/core';
import { DEFAULT_ENABLED_REGIONS } from '@payerguard/core/data/aws-regions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTHER_REGION_ROOT_ACTIVITY } from './estate/payer-account.js';
import type { ProfileId } from './profiles.js';
import { type Simulator, startSimulator } from './server.js';
import { assume, clients, failure } from './testing/clients.js';

let sim: Simulator;
const entryFor = (profile: ProfileId): RegistryEntry => {
  const partner = sim.estate.partners.find((p) => p.profiles.includes(profile));
  if (!partner) throw new Error(`no partner with profile ${profile}`);
  const e = sim.registry().find((r) => r.payerAccountId === partner.payerAccountIds[0]);
  if (!e) throw new Error(`no registry entry for ${partner.id}`);
  return e;
};
const inRegion = async (profile: ProfileId, region: string) =>
  clients(sim.url, await assume(sim.url, entryFor(profile)), { region });

/** Every root event LookupEvents shows in one region, as [eventName, awsRegion] pairs. */
async function rootEventsIn(profile: ProfileId, region: string): Promise<{ name: string; awsRegion: string }[]> {
  const c = await inRegion(profile, region);
  const out = await c.cloudtrail.send(
    new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'root' }] }),
  );
  return (out.Events ?? []).map((e) => ({
    name: e.EventName ?? '',
    awsRegion: (JSON.parse(e.CloudTrailEvent ?? '{}') as { awsRegion: string }).awsRegion,
  }));
}

beforeAll(async () => {
  sim = await startSimulator({ partners: 40, seed: 7 });
});
afterAll(async () => {
  await sim.close();
});

describe('CloudTrail answers per SigV4 region', () => {
  it('root API calls of root-activity-other-region are seen only from eu-central-1 and ap-southeast-2', async () => {
    expect(await rootEventsIn('root-activity-other-region', 'us-east-1')).toEqual([]);
    expect(await rootEventsIn('root-activity-other-region', 'eu-west-1')).toEqual([]);
    const seen = [
      ...(await rootEventsIn('root-activity-other-region', 'eu-central-1')),
      ...(await rootEventsIn('root-activity-other-region', 'ap-southeast-2')),
    ];
    expect(seen.length).toBeGreaterThan(0);
    for (const e of seen) expect(OTHER_REGION_ROOT_ACTIVITY).toContain(e.awsRegion);
  });

  it('console sign-ins are recorded in us-east-1 only, whatever region the client signs for', async () => {
    const east = await rootEventsIn('root-signin-no-mfa', 'us-east-1');
    expect(east.filter((e) => e.name === 'ConsoleLogin').length).toBeGreaterThan(0);
    expect(east.every((e) => e.awsRegion === 'us-east-1')).toBe(true);
    expect((await rootEventsIn('root-signin-no-mfa', 'eu-west-1')).filter((e) => e.name === 'ConsoleLogin')).toEqual(
      [],
    );
  });
});

describe('EventBridge answers per SigV4 region', () => {
  it('the monitor rule has a regional ARN in each enabled region and targets the hub bus', async () => {
    for (const region of ['us-east-1', 'eu-central-1']) {
      const c = await inRegion('compliant', region);
      const rule = await c.events.send(
        new DescribeRuleCommand({ Name: sim.estate.settings.protectedResources.monitorRuleName }),
      );
      expect(rule.Arn).toMatch(new RegExp(`^arn:aws:events:${region}:\\d{12}:rule/`));
      const t = await c.events.send(new ListTargetsByRuleCommand({ Rule: rule.Name }));
      expect(t.Targets).toEqual([{ Id: 'DistributorHub', Arn: hubEventBusArnFor(sim.estate.settings, 'us-east-1') }]);
    }
  });

  it('partner rules live in us-east-1 only; another region lists only the monitor rule', async () => {
    const east = await (await inRegion('compliant', 'us-east-1')).events.send(new ListRulesCommand({}));
    const west = await (await inRegion('compliant', 'eu-west-1')).events.send(new ListRulesCommand({}));
    expect((east.Rules ?? []).length).toBeGreaterThan(1);
    expect((west.Rules ?? []).map((r) => r.Name)).toEqual([sim.estate.settings.protectedResources.monitorRuleName]);
  });

  it('monitor-rule-no-target: the rule exists but ListTargetsByRule answers no targets', async () => {
    const c = await inRegion('monitor-rule-no-target', 'us-east-1');
    const t = await c.events.send(
      new ListTargetsByRuleCommand({ Rule: sim.estate.settings.protectedResources.monitorRuleName }),
    );
    expect(t.Targets).toEqual([]);
  });

  it('ListTargetsByRule of a rule not in the region is ResourceNotFoundException', async () => {
    const c = await inRegion('monitor-rule-missing', 'eu-west-1');
    const e = await failure(
      c.events.send(new ListTargetsByRuleCommand({ Rule: sim.estate.settings.protectedResources.monitorRuleName })),
    );
    expect(e.name).toBe('ResourceNotFoundException');
  });
});

describe('Account ListRegions', () => {
  it('lists every default region as ENABLED_BY_DEFAULT, filters by status and pages', async () => {
    const c = await inRegion('compliant', 'us-east-1');
    const enabled = await c.account.send(
      new ListRegionsCommand({ RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'] }),
    );
    const names = (enabled.Regions ?? []).map((r) => r.RegionName);
    for (const r of DEFAULT_ENABLED_REGIONS) expect(names).toContain(r);
    const page1 = await c.account.send(new ListRegionsCommand({ MaxResults: 10 }));
    expect(page1.Regions).toHaveLength(10);
    expect(page1.NextToken).toBeTruthy();
    const page2 = await c.account.send(new ListRegionsCommand({ MaxResults: 10, NextToken: page1.NextToken }));
    expect(page2.Regions?.[0]?.RegionName).not.toBe(page1.Regions?.[0]?.RegionName);
    const bad = await failure(c.account.send(new ListRegionsCommand({ RegionOptStatusContains: ['ON' as never] })));
    expect(bad.name).toBe('ValidationException');
  });
});
