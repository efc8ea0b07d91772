import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { collectorRoleArnFor } from '@payerguard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from './server.js';
import { assume, clients } from './testing/clients.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, partners: 3, seed: 5 });
});
afterAll(async () => {
  await sim?.close();
});

const deploy = (body: unknown) =>
  fetch(`${sim.url}/_sim/deploy/collector-role`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const roleArn = (accountId: string) => collectorRoleArnFor(sim.estate.settings, accountId);

describe('POST /_sim/deploy/collector-role (what deploying deploy/collector-role.yaml does)', () => {
  it('makes a new account a payer whose collector role trusts the given ExternalId, outside the registry', async () => {
    const accountId = '299999999901';
    await expect(assume(sim.url, { roleArn: roleArn(accountId), externalId: 'pg-new-0001' })).rejects.toThrow();
    const r = await deploy({ accountId, externalId: 'pg-new-0001' });
    expect(r.status).toBe(201);
    expect(await r.json()).toMatchObject({ accountId, created: true });
    const creds = await assume(sim.url, { roleArn: roleArn(accountId), externalId: 'pg-new-0001' });
    const org = await clients(sim.url, creds).organizations.send(new DescribeOrganizationCommand({}));
    expect(org.Organization?.MasterAccountId).toBe(accountId);
    await expect(assume(sim.url, { roleArn: roleArn(accountId), externalId: 'pg-other' })).rejects.toThrow();
    expect(sim.registry().some((e) => e.payerAccountId === accountId)).toBe(false);
  });

  it("re-deploying an estate payer's role with a new ExternalId retires the old one", async () => {
    const entry = sim.registry()[0]!;
    await assume(sim.url, entry);
    const r = await deploy({ accountId: entry.payerAccountId, externalId: 'pg-rotated-by-stack' });
    expect(r.status).toBe(200);
    await expect(assume(sim.url, entry)).rejects.toThrow();
    await assume(sim.url, { roleArn: entry.roleArn, externalId: 'pg-rotated-by-stack' });
  });

  it('answers 400 to bad input and changes nothing', async () => {
    expect((await deploy('not json')).status).toBe(400);
    expect((await deploy({ accountId: '12345', externalId: 'pg-x1' })).status).toBe(400);
    expect((await deploy({ accountId: '299999999902', externalId: 'has space' })).status).toBe(400);
    await expect(assume(sim.url, { roleArn: roleArn('299999999902'), externalId: 'has space' })).rejects.toThrow();
  });
});
