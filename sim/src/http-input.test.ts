import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from './server.js';
import { assume } from './testing/clients.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ partners: 2, seed: 3 });
});
afterAll(() => sim.close());

const auth = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIAHUB/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;

async function send(init: { path?: string; method?: string; headers?: Record<string, string>; body?: string }) {
  const r = await fetch(`${sim.url}${init.path ?? '/'}`, {
    method: init.method ?? 'POST',
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  return { status: r.status, requestId: r.headers.get('x-amzn-requestid'), text: await r.text() };
}

describe('bad requests get AWS-shaped errors and never break the simulator', () => {
  it.each([
    [
      'unknown IAM action',
      { headers: { authorization: auth('iam') }, body: 'Action=DeleteEverything&Version=2010-05-08' },
      400,
      '<Code>InvalidAction</Code>',
    ],
    [
      'query request without Action',
      { headers: { authorization: auth('sts') }, body: 'Version=2011-06-15' },
      400,
      '<Code>MissingAction</Code>',
    ],
    [
      'JSON body that is not JSON',
      {
        headers: { authorization: auth('organizations'), 'x-amz-target': 'AWSOrganizationsV20161128.ListAccounts' },
        body: '{nope',
      },
      400,
      'SerializationException',
    ],
    [
      'JSON body that is an array',
      {
        headers: { authorization: auth('cloudtrail'), 'x-amz-target': 'CloudTrail_20131101.LookupEvents' },
        body: '[1]',
      },
      400,
      'SerializationException',
    ],
    [
      'unknown JSON operation',
      { headers: { authorization: auth('events'), 'x-amz-target': 'AWSEvents.PutRule' }, body: '{}' },
      400,
      'UnknownOperationException',
    ],
    [
      'unknown Account path',
      { path: '/putContactInformation', headers: { authorization: auth('account') }, body: '{}' },
      404,
      'UnknownOperationException',
    ],
    [
      'a service the simulator does not speak',
      { headers: { authorization: auth('ec2') }, body: 'Action=DescribeInstances' },
      400,
      'UnknownServiceException',
    ],
    [
      'a body over 1 MiB',
      { headers: { authorization: auth('iam') }, body: 'a'.repeat(2 * 1024 * 1024) },
      413,
      'RequestEntityTooLarge',
    ],
  ])('%s', async (_name, init, status, needle) => {
    const r = await send(init);
    expect(r.status).toBe(status);
    expect(r.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.text).toContain(needle);
  });

  it('a wrongly typed member is a ValidationException', async () => {
    const creds = await assume(sim.url, sim.registry()[0]!);
    const r = await send({
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/20260101/us-east-1/cloudtrail/aws4_request, Signature=0`,
        'x-amz-target': 'CloudTrail_20131101.LookupEvents',
      },
      body: '{"MaxResults":"ten"}',
    });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).__type).toBe('InvalidMaxResultsException');
  });

  it('still answers normally afterwards', async () => {
    const r = await send({
      headers: { authorization: auth('sts') },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(r.status).toBe(200);
    expect(r.text).toContain('<Account>111111111111</Account>');
    expect(r.text).toContain(`<RequestId>${r.requestId}</RequestId>`);
  });

  it('admin routes answer unknown paths with 404 JSON', async () => {
    const r = await send({ path: '/_sim/nothing', method: 'GET' });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text).error).toContain('/_sim/nothing');
  });
});
