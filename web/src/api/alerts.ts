import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, post } from './client.js';
import { asList } from './lists.js';

/** Mirrors GET/POST /api/alert-channels (server/src/routes/alerts). */
export const ALERT_EVENTS = ['root-activity', 'lockout', 'new-critical-finding'] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];

export interface AlertChannel {
  id: string;
  kind: string;
  url: string;
  events: string[];
  createdBy: string;
  createdAt: string;
}

export interface AlertDelivery {
  id: string;
  channelId: string;
  event: string;
  partnerId: string | null;
  status: 'pending' | 'retrying' | 'delivered' | 'failed';
  attempts: number;
  lastError: string | null;
  text: string;
  createdAt: string;
  deliveredAt: string | null;
}

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
      post<AlertChannel & { secret: string; signatureHeader: string }>('/api/alert-channels', body),
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
