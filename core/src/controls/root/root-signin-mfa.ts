import { unknownFor } from '../helpers.js';
import type { Control, ControlResult } from '../types.js';
import { describeEvent, eventsInLookback } from './root-events.js';

export const rootSigninMfa: Control = {
  id: 'ROOT-SIGNIN-MFA',
  title: 'Every root console sign-in used MFA',
  category: 'root',
  severity: 'high',
  rationale:
    'A root sign-in without MFA means the second party (the MFA holder) was bypassed or MFA was removed: root was reached with the password alone.',
  remediation:
    'Confirm with the partner and the distributor who signed in as root at the listed time and from where. If nobody can account for it, reset the root password from the distributor-held email and re-register MFA; then check ROOT-MFA.',
  references: [
    {
      title: 'CloudTrail sign-in events',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#cloudtrail-integration_signin-mfa',
    },
  ],
  evidence: ['cloudtrail.rootEvents'],
  evaluate(ev, { settings, now }) {
    const call = ev.cloudtrail?.rootEvents;
    if (call?.status !== 'ok') return [unknownFor(call, 'root events')];
    // Only ConsoleLogin carries MFAUsed; CheckMfa and similar sign-in steps say nothing about it.
    const signIns = eventsInLookback(call.data, now, settings.rootLookbackDays).filter(
      (e) => e.eventName === 'ConsoleLogin',
    );
    const succeeded = signIns.filter((e) => !e.errorCode && (e.outcome ?? 'Success') === 'Success');
    const failedAttempts = signIns.length - succeeded.length;
    const withoutMfa = succeeded.filter((e) => e.mfaUsed !== true);
    if (withoutMfa.length === 0) {
      return [
        {
          status: 'pass',
          message: succeeded.length
            ? `All ${succeeded.length} root sign-ins in the last ${settings.rootLookbackDays} days used MFA.`
            : `No root sign-ins in the last ${settings.rootLookbackDays} days.`,
          evidence: {
            signIns: succeeded.length,
            failedAttempts,
            lookbackDays: settings.rootLookbackDays,
            eventIds: succeeded.map((e) => e.eventId),
          },
        },
      ];
    }
    return withoutMfa.map(
      (e): ControlResult => ({
        status: 'fail',
        resource: e.eventId,
        message: `Root signed in without MFA at ${e.eventTime} from ${e.sourceIPAddress ?? 'an unknown address'} (event ${e.eventId}).`,
        evidence: { ...describeEvent(e), mfaUsedRaw: e.mfaUsed === undefined ? 'not reported' : e.mfaUsed },
      }),
    );
  },
};
