import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AccessEvidence, API, type Call } from '@payerguard/core';
import { capture, MalformedAnswer } from '../aws/call.js';
import type { Credentials, SessionCredentials, SessionOptions } from '../aws/client-options.js';
import { hubClient, payerClient } from '../aws/clients.js';
import { singleBudget } from './context.js';

export const COLLECTOR_SESSION_NAME = 'payerguard-collector';

export interface AssumeTarget {
  roleArn: string;
  externalId: string;
}

/**
 * STS AssumeRole into the payer's collector role. The credentials are returned beside the Call, never inside it:
 * the Call goes into stored evidence, the credentials must not.
 */
export async function assumeCollectorRole(
  target: AssumeTarget,
  session: SessionOptions,
  hubCredentials?: SessionCredentials,
): Promise<{ call: Call<{ assumedRoleArn: string }>; credentials?: SessionCredentials }> {
  const client = hubClient(STSClient, session, hubCredentials);
  let credentials: SessionCredentials | undefined;
  const call = await capture(API.assumeRole, singleBudget({ session }), async (abortSignal, ids) => {
    const out = await client.send(
      new AssumeRoleCommand({
        RoleArn: target.roleArn,
        ExternalId: target.externalId,
        RoleSessionName: COLLECTOR_SESSION_NAME,
        DurationSeconds: 900,
      }),
      { abortSignal },
    );
    ids.add(out);
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
      throw new MalformedAnswer('AssumeRole answered without credentials');
    credentials = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
    return { assumedRoleArn: out.AssumedRoleUser?.Arn ?? '' };
  });
  return call.status === 'ok' ? { call, credentials } : { call };
}

/** Who the assumed session really is: the account it answers for must be the payer's. */
export async function getCallerIdentity(
  roleArn: string,
  session: SessionOptions,
  credentials: Credentials,
  accountId: string,
): Promise<Call<AccessEvidence>> {
  const client = payerClient(STSClient, { session, credentials, accountId });
  return capture(API.getCallerIdentity, singleBudget({ session }), async (abortSignal, ids) => {
    const out = await client.send(new GetCallerIdentityCommand({}), { abortSignal });
    ids.add(out);
    if (!out.Account || !/^\d{12}$/.test(out.Account) || !out.Arn)
      throw new MalformedAnswer('GetCallerIdentity answered without an account id and ARN');
    return { roleArn, assumedRoleArn: out.Arn, accountId: out.Account };
  });
}
