import { isConsoleSessionRead, isRootSignInEvent, rootTaskFor } from '../../data/root-tasks.js';
import type { RootEvent } from '../../evidence/types.js';
import type { DistributorSettings } from '../../settings.js';
import { unknownFor } from '../helpers.js';
import type { Control, ControlResult } from '../types.js';
import { describeEvent, eventsInLookback } from './root-events.js';

function approvedWindowFor(e: RootEvent, settings: DistributorSettings) {
  const t = Date.parse(e.eventTime);
  if (Number.isNaN(t)) return undefined;
  return settings.approvedRootWindows.find((w) => Date.parse(w.start) <= t && t <= Date.parse(w.end));
}

export const rootActivityRootOnlyTasks: Control = {
  id: 'ROOT-ACTIVITY-ROOT-ONLY-TASKS',
  title: 'Root is used only for tasks that require root',
  category: 'root',
  severity: 'high',
  rationale:
    'AWS publishes the short list of tasks only root can do. Root used for anything else is either a habit that puts the payer at risk or someone who should not have root; each such event must be explained.',
  remediation:
    'For each listed event, find out who used root and why. Do the work with an IAM role instead; if the use was planned (a change ticket), ask the distributor to record an approved root window for it. If nobody can explain it, rotate the root password and MFA.',
  references: [
    {
      title: 'Tasks that require root user credentials',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html',
    },
  ],
  evidence: ['cloudtrail.rootEvents'],
  evaluate(ev, { settings, now }) {
    const call = ev.cloudtrail?.rootEvents;
    if (call?.status !== 'ok') return [unknownFor(call, 'root events')];
    const events = eventsInLookback(call.data, now, settings.rootLookbackDays);
    const allowed: { eventId: string; eventName: string; why: string }[] = [];
    const offending: ControlResult[] = [];
    for (const e of events) {
      if (isRootSignInEvent(e.eventSource, e.eventName)) {
        allowed.push({ eventId: e.eventId, eventName: e.eventName, why: 'sign-in' });
        continue;
      }
      const match = rootTaskFor(e);
      if (match?.qualifies) {
        allowed.push({ eventId: e.eventId, eventName: e.eventName, why: `root-only task: ${match.task.id}` });
        continue;
      }
      if (isConsoleSessionRead(e, events)) {
        allowed.push({ eventId: e.eventId, eventName: e.eventName, why: 'read-only, in a root console session' });
        continue;
      }
      const window = approvedWindowFor(e, settings);
      if (window) {
        allowed.push({ eventId: e.eventId, eventName: e.eventName, why: `approved window: ${window.reason}` });
        continue;
      }
      offending.push({
        status: 'fail',
        resource: e.eventId,
        message: `Root called ${e.eventName} (${e.eventSource}) at ${e.eventTime} from ${e.sourceIPAddress ?? 'an unknown address'}${e.mfaUsed ? ' with MFA' : ' without MFA'}: not a task that requires root${match ? ` (${match.task.id} only in the way AWS lists it: ${match.why})` : ''}, outside any approved window.`,
        evidence: { ...describeEvent(e), ...(match ? { nearestTask: match.task.id, notThisTask: match.why } : {}) },
      });
    }
    if (offending.length) return offending;
    return [
      {
        status: 'pass',
        message: events.length
          ? `All ${events.length} root events in the last ${settings.rootLookbackDays} days were sign-ins, root-only tasks or inside approved windows.`
          : `No root activity in the last ${settings.rootLookbackDays} days.`,
        evidence: { events: events.length, lookbackDays: settings.rootLookbackDays, allowed: allowed.slice(0, 100) },
      },
    ];
  },
};
