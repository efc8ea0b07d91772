import { AccountClient } from '@aws-sdk/client-account';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { RegistryEntry } from '@payerguard/core';

export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Any key the simulator did not issue is the distributor's hub. */
export const HUB_CREDS: Creds = { accessKeyId: 'AKIAHUBTESTKEY000001', secretAccessKey: 'hub-secret-not-checked' };

export interface ClientOptions {
  maxAttempts?: number;
  requestTimeoutMs?: number;
  /** The region the clients sign for (default us-east-1): CloudTrail and EventBridge answer per region. */
  region?: string;
}

/** The real SDK v3 clients, pointed at the simulator by endpoint only, as the product points them. */
export function clients(endpoint: string, credentials: Creds, o: ClientOptions = {}) {
  const cfg = {
    region: o.region ?? 'us-east-1',
    endpoint,
    credentials,
    maxAttempts: o.maxAttempts ?? 1,
    ...(o.requestTimeoutMs
      ? { requestHandler: { requestTimeout: o.requestTimeoutMs, throwOnRequestTimeout: true } }
      : {}),
  };
  return {
    sts: new STSClient(cfg),
    iam: new IAMClient(cfg),
    organizations: new OrganizationsClient(cfg),
    account: new AccountClient(cfg),
    cloudtrail: new CloudTrailClient(cfg),
    ce: new CostExplorerClient(cfg),
    events: new EventBridgeClient(cfg),
  };
}

export async function assume(endpoint: string, entry: Pick<RegistryEntry, 'roleArn' | 'externalId'>): Promise<Creds> {
  const out = await new STSClient({ region: 'us-east-1', endpoint, credentials: HUB_CREDS, maxAttempts: 1 }).send(
    new AssumeRoleCommand({ RoleArn: entry.roleArn, ExternalId: entry.externalId, RoleSessionName: 'payerguard-test' }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRole returned no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** Runs the call and returns the SDK error it must fail with. */
export async function failure(
  p: Promise<unknown>,
): Promise<Error & { name: string; $metadata?: { httpStatusCode?: number; requestId?: string } }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { name: string };
  }
  throw new Error('expected the call to fail, it succeeded');
}
