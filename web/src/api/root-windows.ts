import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, qs } from './client.js';
import { keys } from './hooks.js';

/** Two-party root access: the shapes /api/root-access-windows answers (server/src/routes/root-access-windows/schema.ts). */
export type WindowSide = 'partner' | 'distributor';
export type WindowState = 'pending' | 'approved' | 'rejected' | 'expired';

export interface RootAccessWindow {
  id: string;
  partnerId: string;
  payerAccountId: string;
  reason: string;
  startsAt: string;
  endsAt: string;
  state: WindowState;
  requestedBy: string;
  requestedBySide: WindowSide;
  requestedAt: string;
  decidedBySide: WindowSide;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
}

export interface TrailEvent {
  payerAccountId: string;
  eventId: string;
  eventName: string;
  eventTime: string;
  sourceIPAddress: string | null;
  mfaUsed: boolean | null;
  outcome: string | null;
}

/** The drill-down's `rootAccess`: each window with the root events the last scoring placed in it, and the rest. */
export interface RootAccessTrail {
  windows: (RootAccessWindow & { events: TrailEvent[] })[];
  outside: (TrailEvent & { status: string; severity: string; message: string })[];
}

export interface WindowRequestInput {
  partnerId: string;
  payerAccountId: string;
  reason: string;
  startsAt: string;
  endsAt: string;
}

const windowsKey = (q: string) => ['root-access-windows', q] as const;

export function useRootWindows(filter: { state?: WindowState; partnerId?: string }, enabled = true) {
  const q = qs({ state: filter.state, partnerId: filter.partnerId });
  return useQuery({
    queryKey: windowsKey(q),
    queryFn: async ({ signal }) =>
      (await get<{ windows: RootAccessWindow[] }>(`/api/root-access-windows${q}`, signal)).windows,
    enabled,
    refetchInterval: 30_000,
  });
}

function useRefresh() {
  const qc = useQueryClient();
  return (partnerId: string) => {
    qc.invalidateQueries({ queryKey: ['root-access-windows'] });
    qc.invalidateQueries({ queryKey: keys.partner(partnerId) });
  };
}

export function useRequestWindow() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: WindowRequestInput) => post<RootAccessWindow>('/api/root-access-windows', body),
    onSuccess: (w) => refresh(w.partnerId),
  });
}

export function useDecideWindow() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ id, decision, note }: { id: string; decision: 'approve' | 'reject'; note?: string }) =>
      post<RootAccessWindow>(`/api/root-access-windows/${encodeURIComponent(id)}/${decision}`, note ? { note } : {}),
    onSuccess: (w) => refresh(w.partnerId),
  });
}
