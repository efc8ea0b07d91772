import type { Control } from '../types.js';

const HOUR = 3_600_000;

export const accessLastSuccess: Control = {
  id: 'ACCESS-LAST-SUCCESS',
  title: 'Last successful access is recent',
  category: 'access',
  severity: 'high',
  runsWithoutAccess: true,
  rationale:
    'A payer the distributor has not reached for longer than the agreed window is a payer nobody is watching. A short outage is a warning; access lost for longer than the window is a failure.',
  remediation:
    'Restore the collector role (see ACCESS-COLLECTOR-ROLE) and run a collection; if the payer is being offboarded, remove it from the partner registry instead.',
  references: [
    {
      title: 'Troubleshooting IAM roles',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_roles.html',
    },
  ],
  evidence: ['access'],
  evaluate(ev, { settings, now, lastAccessOkAt }) {
    const maxHours = settings.accessMaxAgeHours;
    if (ev.access.status === 'ok') {
      return [
        {
          status: 'pass',
          message: `The collector role was assumed at ${ev.collectedAt}.`,
          evidence: { lastAccessOkAt: ev.collectedAt, maxAgeHours: maxHours },
        },
      ];
    }
    const failure = { errorCode: ev.access.errorCode, error: ev.access.message };
    // A success recorded after the evaluation time belongs to a later run; it cannot vouch for this one.
    const last = lastAccessOkAt && lastAccessOkAt.getTime() <= now.getTime() ? lastAccessOkAt : undefined;
    if (!last) {
      return [
        {
          status: 'fail',
          message: `The collector role has never been assumed successfully (${ev.access.errorCode}).`,
          evidence: { lastAccessOkAt: null, maxAgeHours: maxHours, ...failure },
        },
      ];
    }
    const ageHours = Math.round(((now.getTime() - last.getTime()) / HOUR) * 10) / 10;
    const stale = ageHours > maxHours;
    return [
      {
        status: stale ? 'fail' : 'warn',
        ...(stale ? {} : { severity: 'medium' as const }),
        message: stale
          ? `No successful access for ${ageHours} h (last ${last.toISOString()}), more than the allowed ${maxHours} h.`
          : `Access is failing now (${ev.access.errorCode}); last success ${ageHours} h ago, within the allowed ${maxHours} h.`,
        evidence: { lastAccessOkAt: last.toISOString(), ageHours, maxAgeHours: maxHours, ...failure },
      },
    ];
  },
};
