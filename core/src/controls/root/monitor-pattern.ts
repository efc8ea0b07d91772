/**
 * Does an EventBridge event pattern match root activity? Checked by running the pattern against sample events shaped
 * the way CloudTrail delivers them to EventBridge (a root console sign-in, and root API calls to several services),
 * with EventBridge's matching rules: every pattern field must match; an array matches if any of its values does;
 * content filters (prefix, suffix, anything-but, exists, equals-ignore-case, wildcard) and $or.
 */

type Verdict = boolean | 'unsupported';

const ROOT_IDENTITY = (acct: string) => ({
  type: 'Root',
  principalId: acct,
  arn: `arn:aws:iam::${acct}:root`,
  accountId: acct,
});

/** The events a monitor rule must forward, by what they show. */
export function rootActivitySamples(
  accountId: string,
  region: string,
): { what: string; event: Record<string, unknown> }[] {
  const envelope = (source: string, detailType: string, detail: Record<string, unknown>) => ({
    version: '0',
    id: '00000000-0000-0000-0000-000000000000',
    'detail-type': detailType,
    source,
    account: accountId,
    time: '2026-01-01T00:00:00Z',
    region,
    resources: [],
    detail: { eventVersion: '1.09', userIdentity: ROOT_IDENTITY(accountId), awsRegion: region, ...detail },
  });
  const apiCall = (service: string, eventName: string) =>
    envelope(`aws.${service}`, 'AWS API Call via CloudTrail', {
      eventSource: `${service}.amazonaws.com`,
      eventName,
      eventType: 'AwsApiCall',
      readOnly: false,
    });
  return [
    {
      what: 'root console sign-ins',
      event: envelope('aws.signin', 'AWS Console Sign In via CloudTrail', {
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        eventType: 'AwsConsoleSignIn',
        responseElements: { ConsoleLogin: 'Success' },
      }),
    },
    { what: 'root API calls (EC2)', event: apiCall('ec2', 'RunInstances') },
    { what: 'root API calls (S3)', event: apiCall('s3', 'CreateBucket') },
    { what: 'root API calls (IAM)', event: apiCall('iam', 'CreateUser') },
  ];
}

/** Which samples the pattern misses; `unsupported` lists what could not be judged (an operator we do not model). */
export function patternGaps(
  patternJson: string | undefined,
  accountId: string,
  region: string,
): { missed: string[]; unsupported: string[]; invalid?: string } {
  if (!patternJson) return { missed: [], unsupported: [], invalid: 'the rule has no event pattern' };
  let pattern: unknown;
  try {
    pattern = JSON.parse(patternJson);
  } catch {
    return { missed: [], unsupported: [], invalid: 'the event pattern is not valid JSON' };
  }
  if (!isObject(pattern) || Object.keys(pattern).length === 0)
    return { missed: [], unsupported: [], invalid: 'the event pattern is empty' };
  const missed: string[] = [];
  const unsupported: string[] = [];
  for (const s of rootActivitySamples(accountId, region)) {
    const v = matchObject(pattern, s.event);
    if (v === 'unsupported') unsupported.push(s.what);
    else if (!v) missed.push(s.what);
  }
  return { missed, unsupported };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function matchObject(pattern: Record<string, unknown>, event: unknown): Verdict {
  let unsupported = false;
  for (const [key, p] of Object.entries(pattern)) {
    let v: Verdict;
    if (key === '$or') {
      if (!Array.isArray(p)) return 'unsupported';
      const alts = p.map((alt) => (isObject(alt) ? matchObject(alt, event) : ('unsupported' as const)));
      v = alts.includes(true) ? true : alts.includes('unsupported') ? 'unsupported' : false;
    } else {
      const field = isObject(event) ? event[key] : undefined;
      if (Array.isArray(p)) v = matchValues(p, field);
      else if (isObject(p)) v = isObject(field) ? matchObject(p, field) : matchObject(p, {});
      else return 'unsupported';
    }
    if (v === false) return false;
    if (v === 'unsupported') unsupported = true;
  }
  return unsupported ? 'unsupported' : true;
}

/** A pattern array against an event field (a scalar, an array of scalars, or absent). */
function matchValues(alternatives: unknown[], field: unknown): Verdict {
  const values = field === undefined ? [] : Array.isArray(field) ? field : [field];
  let unsupported = false;
  for (const alt of alternatives) {
    const v = matchOne(alt, values, field !== undefined);
    if (v === true) return true;
    if (v === 'unsupported') unsupported = true;
  }
  return unsupported ? 'unsupported' : false;
}

function matchOne(alt: unknown, values: unknown[], present: boolean): Verdict {
  if (!isObject(alt)) return values.some((v) => v === alt);
  const [op, arg] = Object.entries(alt)[0] ?? [];
  const strings = values.filter((v): v is string => typeof v === 'string');
  switch (op) {
    case 'exists':
      return arg === present;
    case 'prefix':
      return typeof arg === 'string' ? strings.some((s) => s.startsWith(arg)) : 'unsupported';
    case 'suffix':
      return typeof arg === 'string' ? strings.some((s) => s.endsWith(arg)) : 'unsupported';
    case 'equals-ignore-case':
      return typeof arg === 'string' ? strings.some((s) => s.toLowerCase() === arg.toLowerCase()) : 'unsupported';
    case 'wildcard': {
      if (typeof arg !== 'string') return 'unsupported';
      const re = new RegExp(`^${arg.split('*').map(escapeRe).join('.*')}$`);
      return strings.some((s) => re.test(s));
    }
    case 'anything-but': {
      if (!present) return false;
      if (isObject(arg)) {
        const inner = matchOne(arg, values, present);
        return inner === 'unsupported' ? inner : !inner;
      }
      const banned = Array.isArray(arg) ? arg : [arg];
      return values.some((v) => !banned.includes(v));
    }
    default:
      return 'unsupported';
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
