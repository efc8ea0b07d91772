import { spawn } from 'node:child_process';
import { HUB_CREDS } from './clients.js';

export interface AwsCliOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  region?: string;
}

export interface AwsCliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when the command succeeded and printed any. */
  json?: unknown;
}

/**
 * Runs the AWS CLI on PATH (botocore: an independent client with its own parsers) against an endpoint, with only the
 * credentials given (the hub's by default): no profile, no config file, no retries, so each answer is seen as sent.
 */
export function runAwsCli(endpoint: string, args: string[], opts: AwsCliOptions = {}): Promise<AwsCliResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: opts.accessKeyId ?? HUB_CREDS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: opts.secretAccessKey ?? HUB_CREDS.secretAccessKey,
    ...(opts.sessionToken ? { AWS_SESSION_TOKEN: opts.sessionToken } : {}),
    AWS_DEFAULT_REGION: opts.region ?? 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return new Promise((resolve, reject) => {
    const child = spawn('aws', [...args, '--endpoint-url', endpoint, '--output', 'json'], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      let json: unknown;
      if (code === 0 && stdout.trim()) {
        try {
          json = JSON.parse(stdout);
        } catch {
          // Left undefined: the caller asserts on it and sees stdout.
        }
      }
      resolve({ code: code ?? -1, stdout, stderr, ...(json !== undefined ? { json } : {}) });
    });
  });
}
