import { isRootSignInEvent } from '../../data/root-tasks.js';
import type { RootEvent } from '../../evidence/types.js';
import { windowCovering } from '../../root-windows/rules.js';
import { unknownFor } from '../helpers.js';
import type { Control, ControlResult } from '../types.js';
import { describeEvent, eventsInLookback } from './root-events.js';

const isConsoleLogin = (e: RootEvent) => e.eventName === 'ConsoleLogin';
const failedSignIn = (e: RootEvent) => isConsoleLogin(e) && (!!e.errorCode || (e.outcome ?? 'Success') !== 'Success');

export const rootActivityInWindow: Control = {
  id: 'ROOT-ACTIVITY-IN-WINDOW',
  title: 'Root is used only inside a two-party approved root-access window',
  category: 'root',
  severity: 'high',
  rationale:
    'Two-party control means the distributor (root email) and the partner (root MFA) both agree before root is used: one side requests a root-access window, the other approves it. Root used outside any approved window was used by one party alone, or by someone else.',
  remediation:
    'Before using root, request a root-access window in payerguard (the partner or the distributor) and wait for the other party to approve it. For each listed event, find out who used root and why; if nobody can account for it, reset the root password from the distributor-held email and re-register the MFA device.',
  references: [
    {
      title: 'AWS root user best practices',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html',
    },
    {
      title: 'Tasks that require root user credentials',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#root-user-tasks',
    },
  ],
  evidence: ['cloudtrail.rootEvents', 'rootAccessWindows'],
  evaluate(ev, { settings, now }) {
    const call = ev.cloudtrail?.rootEvents;
    if (call?.status !== 'ok') return [unknownFor(call, 'root events')];
    const windowsCall = ev.rootAccessWindows;
    if (windowsCall?.status !== 'ok') return [unknownFor(windowsCall, 'the approved root-access windows')];
    const windows = windowsCall.data;
    const days = settings.rootLookbackDays;
    const events = eventsInLookback(call.data, now, days);
    const inside: (ReturnType<typeof describeEvent> & { windowId: string })[] = [];
    const outside: ControlResult[] = [];
    for (const e of events) {
      const w = windowCovering(windows, e.eventTime);
      if (w) {
        inside.push({ ...describeEvent(e), windowId: w.id });
        continue;
      }
      const where = `at ${e.eventTime} from ${e.sourceIPAddress ?? 'an unknown address'}`;
      const none = windows.length
        ? 'outside every approved root-access window'
        : 'and this payer has no approved root-access window';
      const evidence = { ...describeEvent(e), windowId: null, approvedWindows: windows.length };
      if (failedSignIn(e)) {
        // Not a use of root, but someone tried the root password while nobody had agreed to it.
        outside.push({
          status: 'warn',
          severity: 'medium',
          resource: e.eventId,
          message: `A root sign-in attempt failed ${where}, ${none}.`,
          evidence,
        });
      } else if (isConsoleLogin(e) && e.mfaUsed !== true) {
        outside.push({
          status: 'fail',
          severity: 'critical',
          resource: e.eventId,
          message: `Root signed in without MFA ${where}, ${none}: the MFA-holding party was bypassed.`,
          evidence,
        });
      } else {
        const what = isRootSignInEvent(e.eventSource, e.eventName)
          ? `Root signed in (${e.eventName})`
          : `Root called ${e.eventName} (${e.eventSource})`;
        outside.push({
          status: 'fail',
          resource: e.eventId,
          message: `${what} ${where}${e.mfaUsed ? ' with MFA' : ''}, ${none}.`,
          evidence,
        });
      }
    }
    const summary: ControlResult = {
      status: 'pass',
      message: events.length
        ? `${inside.length} of ${events.length} root events in the last ${days} days fell inside approved root-access windows.`
        : `No root activity in the last ${days} days.`,
      evidence: {
        events: events.length,
        lookbackDays: days,
        approvedWindows: windows.length,
        inside: inside.slice(0, 200),
      },
    };
    // The events inside windows are kept beside the violations: together with the requests they are the audit trail.
    if (!outside.length) return [summary];
    return inside.length ? [...outside, summary] : outside;
  },
};
