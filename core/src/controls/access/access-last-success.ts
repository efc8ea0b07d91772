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
  // The finding names no time that moves on while nothing changes (this collection's time, an age in hours): a payer
  // reached every day keeps one finding, and an outage one finding per verdict, instead of a new finding a day. The
  // time of the last access is the payer's `lastAccessOkAt` and the run's collection time.
  evaluate(ev, { settings, now, lastAccessOkAt }) {
    const maxHours = settings.accessMaxAgeHours;
    if (ev.access.status === 'ok') {
      return [
        {
          status: 'pass',
          message: 'The collector role was assumed in this collection.',
          evidence: { maxAgeHours: maxHours },
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
    // Rounded to a tenth of an hour as the verdict always was: a run a few minutes either side of the window agrees.
    const ageHours = Math.round(((now.getTime() - last.getTime()) / HOUR) * 10) / 10;
    const stale = ageHours > maxHours;
    return [
      {
        status: stale ? 'fail' : 'warn',
        ...(stale ? {} : { severity: 'medium' as const }),
        message: stale
          ? `No successful access since ${last.toISOString()}, longer than the allowed ${maxHours} h.`
          : `Access is failing now (${ev.access.errorCode}); last success at ${last.toISOString()}, within the allowed ${maxHours} h.`,
        evidence: { lastAccessOkAt: last.toISOString(), maxAgeHours: maxHours, ...failure },
      },
    ];
  },
};
