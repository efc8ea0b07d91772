import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { type Simulator, startSimulator } from '@payerguard/sim';
import { assume, type Creds } from '@payerguard/sim/testing/clients';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { classify } from './call.js';
import { clientConfig, limitResponseSize, MAX_RESPONSE_BYTES } from './client-options.js';

/** The response-size cap on a real SDK client over HTTP, with and without a Content-Length to trust. */
let sim: Simulator;
let creds: Creds;

beforeAll(async () => {
  sim = await startSimulator({ partners: 1, seed: 3 });
  creds = await assume(sim.url, sim.registry()[0]!);
});
afterEach(() => sim.faults.clear());
afterAll(() => sim.close());

function capped(): OrganizationsClient {
  const client = new OrganizationsClient(
    clientConfig({ region: 'us-east-1', endpoint: sim.url, timeoutMs: 20_000, maxAttempts: 1 }, creds),
  );
  limitResponseSize(client);
  return client;
}

const describeOrg = (c: OrganizationsClient) => c.send(new DescribeOrganizationCommand({}));

describe('limitResponseSize', () => {
  it('passes ordinary answers, chunked or not', async () => {
    const c = capped();
    expect((await describeOrg(c)).Organization?.Id).toBeTruthy();
    sim.faults.add({ kind: 'oversized', bytes: 1024 * 1024, chunked: true });
    expect((await describeOrg(c)).Organization?.Id).toBeTruthy();
  });

  it('refuses an answer whose Content-Length is above the cap', async () => {
    sim.faults.add({ kind: 'oversized', bytes: MAX_RESPONSE_BYTES + 1024 });
    const err = await describeOrg(capped()).catch((e: Error) => e);
    expect((err as Error).name).toBe('ResponseTooLarge');
    expect(classify(err)).toBe('malformed');
  });

  it('cuts off a chunked answer (no Content-Length) once it passes the cap', async () => {
    // 4 x the cap: were the body read to its end, the client would hold 64 MiB.
    sim.faults.add({ kind: 'oversized', bytes: 4 * MAX_RESPONSE_BYTES, chunked: true });
    const before = sim.stats().requests;
    const err = await describeOrg(capped()).catch((e: Error) => e);
    expect((err as Error).name).toBe('ResponseTooLarge');
    expect((err as Error).message).toMatch(/without a usable Content-Length/);
    expect(classify(err)).toBe('malformed');
    expect(sim.stats().requests - before).toBe(1);
    // The client still works afterwards (the cut socket is not reused).
    sim.faults.clear();
    expect((await describeOrg(capped())).Organization?.Id).toBeTruthy();
  });
});
