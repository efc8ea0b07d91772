import { rootActivityInWindow } from '../controls/root/root-activity-in-window.js';
import type { RootAccessWindow } from './store.js';

/** The fields of a root event as the root-window control stored them in its findings. */
export interface TrailEvent {
  payerAccountId: string;
  eventId: string;
  eventName: string;
  eventTime: string;
  sourceIPAddress: string | null;
  mfaUsed: boolean | null;
  outcome: string | null;
}

export interface RootAccessTrail {
  /** The partner's windows, newest request first, each with the root events the last scoring placed inside it. */
  windows: (RootAccessWindow & { events: TrailEvent[] })[];
  /** Root events of the last scoring that fell outside every approved window (the violations), with their verdict. */
  outside: (TrailEvent & { status: string; severity: string; message: string })[];
}

interface StoredFinding {
  controlId: string;
  payerAccountId: string;
  status: string;
  severity: string;
  message: string;
  evidence: unknown;
}

const eventOf = (payerAccountId: string, e: Record<string, unknown>): TrailEvent => ({
  payerAccountId,
  eventId: String(e.eventId ?? ''),
  eventName: String(e.eventName ?? ''),
  eventTime: String(e.eventTime ?? ''),
  sourceIPAddress: typeof e.sourceIPAddress === 'string' ? e.sourceIPAddress : null,
  mfaUsed: typeof e.mfaUsed === 'boolean' ? e.mfaUsed : null,
  outcome: typeof e.outcome === 'string' ? e.outcome : null,
});

/**
 * Request, decision and the events in each window as one trail: the windows come from their table, the events and
 * their verdicts from the findings the engine stored (never recomputed here). Used by the drill-down and the exports.
 */
export function buildTrail(windows: RootAccessWindow[], findings: StoredFinding[]): RootAccessTrail {
  const byWindow = new Map<string, TrailEvent[]>();
  const outside: RootAccessTrail['outside'] = [];
  for (const f of findings) {
    if (f.controlId !== rootActivityInWindow.id) continue;
    const ev = (f.evidence ?? {}) as Record<string, unknown>;
    if (Array.isArray(ev.inside)) {
      for (const e of ev.inside as Record<string, unknown>[]) {
        const id = String(e.windowId ?? '');
        byWindow.set(id, [...(byWindow.get(id) ?? []), eventOf(f.payerAccountId, e)]);
      }
    } else if (ev.eventId)
      outside.push({ ...eventOf(f.payerAccountId, ev), status: f.status, severity: f.severity, message: f.message });
  }
  return {
    windows: windows.map((w) => ({ ...w, events: byWindow.get(w.id) ?? [] })),
    outside: outside.sort((a, b) => b.eventTime.localeCompare(a.eventTime)),
  };
}
