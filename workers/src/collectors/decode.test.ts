import { describe, expect, it } from 'vitest';
import { classify, errorCodeOf, MalformedAnswer, safeMessage } from '../aws/call.js';
import { spendWindow } from './costexplorer.js';
import { decodePolicyDocument, parseCredentialReport, trustsAccount } from './decode.js';
import { parseRootEvent } from './root-events.js';

describe('decodePolicyDocument', () => {
  it('decodes the URL-encoded JSON IAM returns', () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/a b%' }],
    };
    expect(decodePolicyDocument(encodeURIComponent(JSON.stringify(doc)), 'x')).toEqual(doc);
  });
  it('accepts an already decoded document without decoding a literal % twice', () => {
    const doc = { Statement: { Effect: 'Deny', Action: '*', Resource: 'arn:aws:s3:::100%' } };
    expect(decodePolicyDocument(JSON.stringify(doc), 'x')).toEqual(doc);
  });
  it('decodes as botocore does: a literal "+" stays "+", %2B and %20 are a plus and a space', () => {
    const raw =
      '%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C' +
      '%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aa+b%2Fc%2Bd%20e%22%7D%7D';
    // python3 -c 'from urllib.parse import unquote; print(unquote(raw))' gives the same text.
    expect(decodePolicyDocument(raw, 'x').Statement).toEqual({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::a+b/c+d e',
    });
  });
  it('treats garbage as a malformed answer, naming where it was', () => {
    expect(() => decodePolicyDocument('%E0%A4%A', 'role R')).toThrow(/role R.*URL-encoded/);
    expect(() => decodePolicyDocument(encodeURIComponent('{"Statement": ['), 'role R')).toThrow(MalformedAnswer);
    expect(() => decodePolicyDocument(encodeURIComponent('{"Version":"2012-10-17"}'), 'p')).toThrow(/no Statement/);
    expect(() => decodePolicyDocument(undefined, 'p')).toThrow(/missing/);
  });
});

describe('parseCredentialReport', () => {
  it('keys each row by the header', () => {
    const csv =
      'user,arn,mfa_active,access_key_1_active\n<root_account>,arn:aws:iam::123456789012:root,true,false\nalice,arn:aws:iam::123456789012:user/alice,false,true\n';
    const rows = parseCredentialReport(csv);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({
      user: '<root_account>',
      arn: 'arn:aws:iam::123456789012:root',
      mfa_active: 'true',
      access_key_1_active: 'false',
    });
    expect(rows[1]?.access_key_1_active).toBe('true');
  });
  it('honours quoted cells and rejects ragged rows', () => {
    expect(parseCredentialReport('user,arn\n"a,b",x')[0]?.user).toBe('a,b');
    expect(() => parseCredentialReport('user,arn\na,b,c')).toThrow(/3 cells/);
    expect(() => parseCredentialReport('name,id\na,b')).toThrow(MalformedAnswer);
  });
});

describe('trustsAccount', () => {
  const hub = '111111111111';
  it('finds the hub as the account root, a bare account id or a role in it', () => {
    for (const principal of [
      `arn:aws:iam::${hub}:root`,
      hub,
      [`arn:aws:iam::999999999999:root`, `arn:aws:iam::${hub}:role/Billing`],
    ])
      expect(
        trustsAccount(
          { Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }] },
          hub,
        ),
      ).toBe(true);
  });
  it('does not count a Deny, another account, or a service principal', () => {
    expect(
      trustsAccount({ Statement: [{ Effect: 'Deny', Principal: { AWS: hub }, Action: 'sts:AssumeRole' }] }, hub),
    ).toBe(false);
    expect(
      trustsAccount(
        {
          Statement: {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::222222222222:root' },
            Action: 'sts:AssumeRole',
          },
        },
        hub,
      ),
    ).toBe(false);
    expect(
      trustsAccount(
        { Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
        hub,
      ),
    ).toBe(false);
    expect(
      trustsAccount(
        { Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${hub}1:root` }, Action: 'sts:AssumeRole' }] },
        hub,
      ),
    ).toBe(false);
  });
});

describe('parseRootEvent', () => {
  it('keeps readOnly, the console flag and only the request parameters that decide a root-only task', () => {
    const e = parseRootEvent(
      JSON.stringify({
        eventID: 'e9',
        eventTime: '2026-11-01T10:00:00Z',
        eventName: 'PutBucketVersioning',
        eventSource: 's3.amazonaws.com',
        eventType: 'AwsApiCall',
        readOnly: false,
        sessionCredentialFromConsole: 'true',
        userIdentity: { type: 'Root', accountId: '123456789012' },
        requestParameters: {
          bucketName: 'b',
          Host: 'b.s3.amazonaws.com',
          VersioningConfiguration: { Status: 'Enabled', MfaDelete: 'Enabled' },
        },
      }),
      {},
    );
    expect(e).toMatchObject({ readOnly: false, fromConsole: true, request: { bucketName: 'b', mfaDelete: 'Enabled' } });
    expect(JSON.stringify(e)).not.toContain('Host');
  });
  const signin = {
    eventID: 'e1',
    eventTime: '2026-11-01T10:00:00Z',
    eventName: 'ConsoleLogin',
    eventSource: 'signin.amazonaws.com',
    eventType: 'AwsConsoleSignIn',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.9',
    userIdentity: { type: 'Root', accountId: '123456789012' },
    additionalEventData: { MFAUsed: 'No' },
    responseElements: { ConsoleLogin: 'Success' },
  };
  it('flattens a root console sign-in with its MFA and outcome', () => {
    expect(parseRootEvent(JSON.stringify(signin), {})).toEqual({
      eventId: 'e1',
      eventTime: '2026-11-01T10:00:00.000Z',
      eventName: 'ConsoleLogin',
      eventSource: 'signin.amazonaws.com',
      eventType: 'AwsConsoleSignIn',
      awsRegion: 'us-east-1',
      sourceIPAddress: '203.0.113.9',
      mfaUsed: false,
      outcome: 'Success',
      accountId: '123456789012',
    });
  });
  it('reads MFA of an API call from the session context and skips non-root identities', () => {
    const api = {
      ...signin,
      eventType: 'AwsApiCall',
      additionalEventData: undefined,
      responseElements: null,
      userIdentity: { type: 'Root', accountId: '1', sessionContext: { attributes: { mfaAuthenticated: 'true' } } },
    };
    expect(parseRootEvent(JSON.stringify(api), {})?.mfaUsed).toBe(true);
    expect(parseRootEvent(JSON.stringify({ ...signin, userIdentity: { type: 'IAMUser' } }), {})).toBeNull();
  });
  it('reports unparseable event JSON as malformed', () => {
    expect(() => parseRootEvent('{"eventID":', { eventId: 'e9' })).toThrow(/e9 is not valid JSON/);
  });
});

describe('spendWindow', () => {
  it('asks for the last 6 full months plus the current month so far', () => {
    expect(spendWindow(new Date('2026-11-24T18:00:00Z'))).toEqual({ start: '2026-05-01', end: '2026-11-25' });
    expect(spendWindow(new Date('2026-03-31T23:59:00Z'))).toEqual({ start: '2025-09-01', end: '2026-04-01' });
  });
});

describe('classify', () => {
  const err = (name: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(`${name} happened`), { name, ...extra });
  it('tells denied, throttled, timeout, malformed and other errors apart', () => {
    expect(classify(err('AccessDenied'))).toBe('denied');
    expect(classify(err('AccessDeniedException'))).toBe('denied');
    expect(classify(err('ThrottlingException'))).toBe('throttled');
    expect(classify(err('Throttling'))).toBe('throttled');
    expect(classify(err('TimeoutError'))).toBe('timeout');
    expect(classify(err('AbortError'))).toBe('timeout');
    expect(classify(new MalformedAnswer('x'))).toBe('malformed');
    expect(
      classify(err('Error', { message: 'Deserialization error: to see the raw response, inspect the hidden field' })),
    ).toBe('malformed');
    expect(classify(err('ServiceUnavailable'))).toBe('error');
    expect(classify(err('Whatever', { $metadata: { httpStatusCode: 403 } }))).toBe('denied');
  });
  it('never calls an expired session or "not in an organization" a denial', () => {
    // IAM answers ExpiredToken with HTTP 403; STS answers ExpiredTokenException with 400.
    expect(classify(err('ExpiredToken', { $metadata: { httpStatusCode: 403 } }))).toBe('error');
    expect(classify(err('ExpiredTokenException', { $metadata: { httpStatusCode: 400 } }))).toBe('error');
    expect(classify(err('AWSOrganizationsNotInUseException', { $metadata: { httpStatusCode: 400 } }))).toBe('error');
  });
  it('prefers the AWS Code to the SDK class name', () => {
    expect(errorCodeOf(err('NoSuchEntityException', { Code: 'NoSuchEntity' }))).toBe('NoSuchEntity');
  });
  it('never lets a key or signature through in a message', () => {
    const m = safeMessage(
      new Error('bad Credential=ASIAABCDEFGHIJKLMNOP/20261124 Signature=deadbeef key AKIAABCDEFGHIJKLMNOP'),
    );
    expect(m).not.toMatch(/ASIAABCDEFGHIJKLMNOP|AKIAABCDEFGHIJKLMNOP|deadbeef/);
  });
});

describe('redactExternalIds', () => {
  it('keeps the condition but not the ExternalId value, whatever the key case or value shape', async () => {
    const { redactExternalIds } = await import('./decode.js');
    const doc = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'shh-1' }, Bool: { 'aws:SecureTransport': 'true' } },
        },
        {
          Effect: 'Allow',
          Principal: { AWS: '1' },
          Action: 'sts:AssumeRole',
          Condition: { StringLike: { 'STS:externalid': ['shh-2', 'shh-3'] } },
        },
      ],
    };
    const out = redactExternalIds(doc);
    expect(JSON.stringify(out)).not.toMatch(/shh-/);
    expect((out.Statement as { Condition: Record<string, Record<string, unknown>> }[])[0]?.Condition).toEqual({
      StringEquals: { 'sts:ExternalId': '[redacted]' },
      Bool: { 'aws:SecureTransport': 'true' },
    });
    expect(
      (out.Statement as { Condition: Record<string, Record<string, unknown>> }[])[1]?.Condition.StringLike?.[
        'STS:externalid'
      ],
    ).toEqual(['[redacted]', '[redacted]']);
    // The input is not modified.
    expect(JSON.stringify(doc)).toContain('shh-1');
  });
});
