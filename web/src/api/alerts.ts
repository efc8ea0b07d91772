import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, post } from './client.js';
import { asList } from './lists.js';

import type { AlertChannel, AlertChannelCreated, AlertDelivery, AlertEvent } from './types.js';

/** GET/POST /api/alert-channels (server/src/routes/alerts); shapes in ./types.ts, generated from the server. */
export type { AlertChannel, AlertDelivery, AlertEvent } from './types.js';
export const ALERT_EVENTS = [
  'root-activity',
  'lockout',
  'new-critical-finding',
] as const satisfies readonly AlertEvent[];

const keys = {
  channels: ['alert-channels'] as const,
  deliveries: (id: string) => ['alert-channels', id, 'deliveries'] as const,
};

export function useAlertChannels() {
  return useQuery({
    queryKey: keys.channels,
    queryFn: async ({ signal }) => asList<AlertChannel>(await get('/api/alert-channels', signal), 'channels'),
  });
}

export function useAlertDeliveries(channelId: string) {
  return useQuery({
    queryKey: keys.deliveries(channelId),
    queryFn: async ({ signal }) =>
      asList<AlertDelivery>(
        await get(`/api/alert-channels/${encodeURIComponent(channelId)}/deliveries?limit=50`, signal),
        'deliveries',
      ),
    // Deliveries move from pending to delivered (or retrying) within seconds.
    refetchInterval: 5_000,
  });
}

export function useCreateAlertChannel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { kind: 'webhook'; url: string; events: AlertEvent[] }) =>
      post<AlertChannelCreated>('/api/alert-channels', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.channels }),
  });
}

export function useDeleteAlertChannel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => del<void>(`/api/alert-channels/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.channels }),
  });
}
