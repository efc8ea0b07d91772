import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Config } from '@payerguard/core';

export interface AccessCheck {
  payerAccountId: string;
  roleArn: string;
  ok: boolean;
  /** The account the assumed-role credentials belong to (from the assumed role ARN). */
  assumedRoleArn?: string;
  errorCode?: string;
  message?: string;
  latencyMs: number;
}

// One client per endpoint and region: building one per request would redo credential resolution every time.
const clients = new Map<string, STSClient>();
function sts(config: Config): STSClient {
  const key = `${config.awsRegion}|${config.awsEndpointUrl ?? ''}`;
  let c = clients.get(key);
  if (!c) {
    c = new STSClient({
      region: config.awsRegion,
      maxAttempts: 2,
      ...(config.awsEndpointUrl ? { endpoint: config.awsEndpointUrl } : {}),
    });
    clients.set(key, c);
  }
  return c;
}

/** One STS AssumeRole into the collector role. The temporary credentials are dropped at once: never returned. */
export async function checkAccess(
  config: Config,
  payer: { accountId: string; roleArn: string; externalId: string },
  timeoutMs = 10_000,
): Promise<AccessCheck> {
  const t = performance.now();
  const ms = () => Math.round(performance.now() - t);
  try {
    const out = await sts(config).send(
      new AssumeRoleCommand({
        RoleArn: payer.roleArn,
        ExternalId: payer.externalId,
        RoleSessionName: 'payerguard-access-check',
        DurationSeconds: 900,
      }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
    return {
      payerAccountId: payer.accountId,
      roleArn: payer.roleArn,
      ok: true,
      assumedRoleArn: out.AssumedRoleUser?.Arn,
      latencyMs: ms(),
    };
  } catch (e) {
    const err = e as Error & { Code?: string };
    const message = (err.message || String(e)).replaceAll(payer.externalId, '[redacted]').slice(0, 500);
    return {
      payerAccountId: payer.accountId,
      roleArn: payer.roleArn,
      ok: false,
      errorCode: err.Code ?? err.name,
      message,
      latencyMs: ms(),
    };
  }
}
