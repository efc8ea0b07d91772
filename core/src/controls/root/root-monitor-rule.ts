import { unknownFor } from '../helpers.js';
import type { Control } from '../types.js';

export const rootMonitorRule: Control = {
  id: 'ROOT-MONITOR-RULE',
  title: 'Root-activity monitor rule is deployed and enabled',
  category: 'root',
  severity: 'high',
  rationale:
    'The EventBridge rule forwards every root event to the distributor hub as it happens; without it root use is only seen at the next collection, if CloudTrail still has it.',
  remediation:
    'Redeploy the distributor governance stack in the payer so the root-activity monitor rule exists under its agreed name, or re-enable it (`aws events enable-rule --name <rule>`).',
  references: [
    {
      title: 'Monitor and notify on AWS account root user activity',
      url: 'https://aws.amazon.com/blogs/mt/monitor-and-notify-on-aws-account-root-user-activity/',
    },
  ],
  evidence: ['eventbridge.rules'],
  evaluate(ev, { settings }) {
    const call = ev.eventbridge?.rules;
    if (call?.status !== 'ok') return [unknownFor(call, 'EventBridge rules')];
    const name = settings.protectedResources.monitorRuleName;
    const rule = call.data.find((r) => r.name === name);
    if (!rule) {
      return [
        {
          status: 'fail',
          message: `The root-activity monitor rule ${name} does not exist.`,
          evidence: { ruleName: name, rulesSeen: call.data.map((r) => r.name).slice(0, 50) },
        },
      ];
    }
    const evidence = { ruleName: name, ruleArn: rule.arn, state: rule.state, eventBusName: rule.eventBusName ?? null };
    return [
      rule.state === 'ENABLED'
        ? { status: 'pass', message: `Monitor rule ${name} is enabled.`, evidence }
        : {
            status: 'fail',
            message: `Monitor rule ${name} is ${rule.state}: root events are not forwarded.`,
            evidence,
          },
    ];
  },
};
