import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, qs } from './client.js';
import { keys } from './hooks.js';

import type { RootAccessWindow, WindowRequestInput, WindowState } from './types.js';

/** Two-party root access: /api/root-access-windows (shapes in ./types.ts, generated from the server's schemas). */
export type {
  RootAccessTrail,
  RootAccessWindow,
  TrailEvent,
  WindowRequestInput,
  WindowSide,
  WindowState,
} from './types.js';

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
