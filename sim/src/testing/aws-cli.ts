import { spawn } from 'node:child_process';

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
  /** stdout parsed as JSON, when it is JSON. */
  json?: unknown;
}

/** Any key the simulator did not issue is the distributor's hub. */
const HUB_KEY = { accessKeyId: 'AKIAHUBTESTKEY000001', secretAccessKey: 'hub-secret-not-checked' };

/**
 * Runs the AWS CLI on PATH (botocore: an independent client with its own parsers) against `endpoint`, isolated from
 * the machine's AWS configuration: no config or credentials files, no instance metadata, no retries (an error must
 * reach the test as the CLI parsed it, not be retried away).
 */
export function runAwsCli(endpoint: string, args: string[], opts: AwsCliOptions = {}): Promise<AwsCliResult> {
  const env: NodeJS.ProcessEnv = {};
  // Only what the CLI needs to start: nothing from the caller's AWS_* variables leaks in.
  for (const k of ['PATH', 'HOME', 'LANG', 'PYENV_ROOT', 'PYENV_VERSION', 'TMPDIR'])
    if (process.env[k]) env[k] = process.env[k];
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: opts.accessKeyId ?? HUB_KEY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: opts.secretAccessKey ?? HUB_KEY.secretAccessKey,
    ...(opts.sessionToken ? { AWS_SESSION_TOKEN: opts.sessionToken } : {}),
    AWS_DEFAULT_REGION: opts.region ?? 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
    PYTHONWARNINGS: 'ignore',
  });
  return new Promise((resolve, reject) => {
    const child = spawn('aws', [...args, '--endpoint-url', endpoint, '--output', 'json'], { env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      let json: unknown;
      if (stdout.trim()) {
        try {
          json = JSON.parse(stdout);
        } catch {
          // not JSON (an error, or text output): the caller reads stdout
        }
      }
      resolve({ code: code ?? -1, stdout, stderr, ...(json !== undefined ? { json } : {}) });
    });
  });
}

/** The error code and operation from the CLI's "An error occurred (Code) when calling the Op operation" line. */
export function cliError(stderr: string): { code: string; operation: string } | undefined {
  const m = /An error occurred \(([^)]+)\) when calling the (\w+) operation/.exec(stderr);
  return m ? { code: m[1]!, operation: m[2]! } : undefined;
}
