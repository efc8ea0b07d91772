import { GLOBAL_EVENTS_REGION } from '../../data/aws-regions.js';
import type { PayerEvidence, RegionalRules } from '../../evidence/types.js';
import type { DistributorSettings } from '../../settings.js';
import { unknownFor } from '../helpers.js';
import type { Control, ControlResult } from '../types.js';
import { patternGaps } from './monitor-pattern.js';

/** What was wrong with the monitor in one region. */
interface RegionProblem {
  region: string;
  status: 'fail' | 'warn' | 'unknown';
  problem: string;
  ruleArn?: string;
  /** For an unknown: the call that failed, named as unknownFor names it (api, callStatus, errorCode). */
  api?: string;
  callStatus?: string;
  errorCode?: string;
}

/** The regions the monitor must cover: every region read (us-east-1 plus the payer's enabled regions). */
function regionalRules(ev: PayerEvidence): Record<string, RegionalRules> | undefined {
  const eb = ev.eventbridge;
  if (!eb) return undefined;
  // Evidence collected before regions were read holds us-east-1's rules only, without targets.
  return eb.byRegion ?? { [GLOBAL_EVENTS_REGION]: { rules: eb.rules } };
}

/** A target reaches the distributor when it is the hub bus (any region: cross-region bus targets are allowed). */
function isHubBus(arn: string, s: DistributorSettings): boolean {
  const m = /^arn:aws[\w-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/.exec(arn);
  return !!m && m[2] === s.hubAccountId && m[3] === s.hubEventBusName;
}

function checkRegion(
  region: string,
  rr: RegionalRules,
  ev: PayerEvidence,
  s: DistributorSettings,
): RegionProblem | null {
  const name = s.protectedResources.monitorRuleName;
  if (rr.rules.status !== 'ok')
    return {
      region,
      status: 'unknown',
      problem: `${rr.rules.api} failed (${rr.rules.errorCode})`,
      api: rr.rules.api,
      callStatus: rr.rules.status,
      errorCode: rr.rules.errorCode,
    };
  const rule = rr.rules.data.find((r) => r.name === name);
  if (!rule) return { region, status: 'fail', problem: 'the rule does not exist' };
  const at = { region, ruleArn: rule.arn };
  if (rule.state !== 'ENABLED') return { ...at, status: 'fail', problem: `the rule is ${rule.state}` };
  const gaps = patternGaps(rule.eventPattern, ev.payerAccountId, region);
  if (gaps.invalid) return { ...at, status: 'fail', problem: gaps.invalid };
  if (gaps.missed.length)
    return { ...at, status: 'fail', problem: `the event pattern misses ${gaps.missed.join(', ')}` };
  const targets = rr.monitorRuleTargets;
  if (!targets) return { ...at, status: 'unknown', problem: 'its targets were not collected' };
  if (targets.status !== 'ok')
    return {
      ...at,
      status: 'unknown',
      problem: `${targets.api} failed (${targets.errorCode})`,
      api: targets.api,
      callStatus: targets.status,
      errorCode: targets.errorCode,
    };
  if (targets.data.length === 0) return { ...at, status: 'fail', problem: 'the rule has no target' };
  if (!targets.data.some((t) => isHubBus(t.arn, s)))
    return {
      ...at,
      status: 'fail',
      problem: `the rule forwards to ${targets.data.map((t) => t.arn).join(', ')}, not the hub bus ${s.hubEventBusName} in account ${s.hubAccountId}`,
    };
  if (gaps.unsupported.length)
    return {
      ...at,
      status: 'warn',
      problem: `the event pattern uses operators payerguard does not evaluate; could not confirm it matches ${gaps.unsupported.join(', ')}`,
    };
  return null;
}

const RANK = { fail: 3, warn: 2, unknown: 1 } as const;

export const rootMonitorRule: Control = {
  id: 'ROOT-MONITOR-RULE',
  title: 'Root-activity monitor rule forwards root events to the hub in every region',
  category: 'root',
  severity: 'high',
  rationale:
    'The EventBridge rule forwards every root event to the distributor hub as it happens; without it root use is only seen at the next collection, if CloudTrail still has it. EventBridge is regional: root API calls land in whichever region they were made in (console sign-ins and global services in us-east-1), so the rule must exist, match root sign-ins and API calls, and target the hub bus in every enabled region.',
  remediation:
    'Redeploy the distributor governance stack (as a StackSet to every enabled region) so the root-activity monitor rule exists under its agreed name with its event pattern and the hub event bus as target; re-enable a disabled rule (`aws events enable-rule --name <rule> --region <region>`).',
  references: [
    {
      title: 'Monitor and notify on AWS account root user activity',
      url: 'https://aws.amazon.com/blogs/mt/monitor-and-notify-on-aws-account-root-user-activity/',
    },
    {
      title: 'Receiving events from AWS services via CloudTrail (regional delivery)',
      url: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html',
    },
  ],
  evidence: ['eventbridge.rules'],
  evaluate(ev, { settings }) {
    const byRegion = regionalRules(ev);
    if (!byRegion) return [unknownFor(undefined, 'EventBridge rules', 'events:ListRules')];
    const name = settings.protectedResources.monitorRuleName;
    const regions = ev.regions?.read ?? Object.keys(byRegion);
    const problems: RegionProblem[] = [];
    for (const region of regions) {
      const rr = byRegion[region];
      const p = rr
        ? checkRegion(region, rr, ev, settings)
        : { region, status: 'unknown' as const, problem: 'the region was not read' };
      if (p) problems.push(p);
    }
    const scope = {
      ruleName: name,
      hubEventBus: `${settings.hubAccountId}/${settings.hubEventBusName}`,
      regionsChecked: regions,
      ...(ev.regions?.fallbackReason ? { regionsFallbackReason: ev.regions.fallbackReason } : {}),
    };
    if (problems.length === 0) {
      const home = byRegion[regions[0] ?? GLOBAL_EVENTS_REGION];
      const arn = home?.rules.status === 'ok' ? home.rules.data.find((r) => r.name === name)?.arn : undefined;
      return [
        {
          status: 'pass',
          message: `Monitor rule ${name} is enabled, matches root sign-ins and API calls and forwards to the hub bus in all ${regions.length} regions read${ev.regions?.fallbackReason ? ' (the payer’s region list could not be read; see regionsFallbackReason)' : ''}.`,
          evidence: { ...scope, ruleArn: arn ?? null, state: 'ENABLED' },
        },
      ];
    }
    // One verdict for the payer: the worst region decides; every region's problem is in the evidence.
    const worst = problems.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));
    const same = problems.filter((p) => p.status === worst.status);
    const where =
      same.length === regions.length
        ? `any of the ${regions.length} regions read`
        : same.map((p) => p.region).join(', ');
    const result: ControlResult = {
      status: worst.status,
      message:
        worst.status === 'unknown'
          ? `Could not evaluate the monitor rule ${name} in ${where}: ${worst.problem}.`
          : worst.problem === 'the rule does not exist'
            ? `The root-activity monitor rule ${name} does not exist in ${where}.`
            : `Monitor rule ${name} in ${where}: ${worst.problem}${same.length > 1 ? ' (see evidence for each region)' : ''}.`,
      evidence: {
        ...scope,
        problems,
        ...(worst.ruleArn ? { ruleArn: worst.ruleArn } : {}),
        // Where the UI and exports look for the failed call of an unknown.
        ...(worst.errorCode ? { api: worst.api, callStatus: worst.callStatus, errorCode: worst.errorCode } : {}),
        ...(worst.problem === 'the rule does not exist'
          ? {
              rulesSeen: (() => {
                const rr = byRegion[worst.region]?.rules;
                return rr?.status === 'ok' ? rr.data.map((r) => r.name).slice(0, 50) : [];
              })(),
            }
          : {}),
      },
    };
    return [result];
  },
};
