import { unknownFor } from '../helpers.js';
import type { Control } from '../types.js';

export const govOrgTrail: Control = {
  id: 'GOV-ORG-TRAIL',
  title: 'An organization-wide, multi-region CloudTrail trail is logging',
  category: 'governance',
  severity: 'high',
  rationale:
    'Root events and changes in every member account are only kept (beyond 90 days of event history) and only seen in every region when an organization trail logs in all regions.',
  remediation:
    'From the payer create (or restore) an organization trail with multi-region logging (`aws cloudtrail create-trail --is-organization-trail --is-multi-region-trail`) and start it (`aws cloudtrail start-logging --name <trail>`).',
  references: [
    {
      title: 'Creating a trail for an organization',
      url: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html',
    },
  ],
  evidence: ['cloudtrail.trails'],
  evaluate(ev) {
    const call = ev.cloudtrail?.trails;
    if (call?.status !== 'ok') return [unknownFor(call, 'CloudTrail trails')];
    const seen = call.data.map((t) => ({
      name: t.name,
      arn: t.arn,
      isOrganizationTrail: t.isOrganizationTrail,
      isMultiRegionTrail: t.isMultiRegionTrail,
      isLogging: t.isLogging ?? null,
      ...(t.statusError ? { statusError: t.statusError } : {}),
    }));
    const orgWide = call.data.filter((t) => t.isOrganizationTrail && t.isMultiRegionTrail);
    const logging = orgWide.find((t) => t.isLogging === true);
    if (logging) {
      return [
        {
          status: 'pass',
          resource: logging.arn,
          message: `Organization trail ${logging.name} is multi-region and logging.`,
          evidence: { trail: logging.name, trails: seen },
        },
      ];
    }
    const unreadable = orgWide.filter((t) => t.isLogging === undefined);
    if (unreadable.length) {
      return [
        {
          status: 'unknown',
          message: `Could not read the status of organization trail ${unreadable.map((t) => t.name).join(', ')} (${unreadable[0]?.statusError ?? 'GetTrailStatus failed'}).`,
          evidence: { api: 'cloudtrail:GetTrailStatus', errorCode: unreadable[0]?.statusError ?? null, trails: seen },
        },
      ];
    }
    const stopped = orgWide.filter((t) => t.isLogging === false);
    if (stopped.length) {
      return stopped.map((t) => ({
        status: 'fail' as const,
        resource: t.arn,
        message: `Organization trail ${t.name} is stopped: it is not logging.`,
        evidence: { trail: t.name, isLogging: false, trails: seen },
      }));
    }
    return [
      {
        status: 'fail',
        message: call.data.length
          ? `No trail is both organization-wide and multi-region (seen: ${call.data.map((t) => t.name).join(', ')}).`
          : 'No CloudTrail trail exists.',
        evidence: { trails: seen },
      },
    ];
  },
};
