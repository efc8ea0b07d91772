import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { get } from './client.js';
import { keys } from './hooks.js';
import type { RunDetail, RunSummary } from './types.js';

export type LiveState = 'connecting' | 'live' | 'polling' | 'done';

const finished = (s: string | undefined) => s === 'completed' || s === 'failed' || s === 'interrupted';

/**
 * Follows one run as it happens: server-sent events while they flow, polling the run when the stream is refused or
 * drops (a proxy that buffers SSE must not leave the screen frozen). Writes into the run's query cache.
 */
export function useRunLive(runId: string | null): LiveState {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');

  useEffect(() => {
    if (!runId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let source: EventSource | undefined;

    const apply = (run: Partial<RunSummary>) => {
      qc.setQueryData<RunDetail>(keys.run(runId), (prev) => (prev ? { ...prev, run: { ...prev.run, ...run } } : prev));
      if (finished(run.status)) {
        setState('done');
        stop();
        // The final figures (failures, summary) come from the full run, and lists elsewhere are now stale.
        qc.invalidateQueries({ queryKey: keys.run(runId) });
        qc.invalidateQueries({ queryKey: keys.runs });
        qc.invalidateQueries({ queryKey: keys.overview });
        qc.invalidateQueries({ queryKey: ['partner'] });
      }
    };

    const poll = async () => {
      if (stopped) return;
      try {
        apply((await get<RunDetail>(`/api/runs/${encodeURIComponent(runId)}`)).run);
      } catch {
        // Keep trying: a restart of the API should not end the live view.
      }
      if (!stopped) timer = setTimeout(poll, 1500);
    };

    const stop = () => {
      stopped = true;
      source?.close();
      if (timer) clearTimeout(timer);
    };

    if (typeof EventSource === 'undefined') {
      setState('polling');
      void poll();
    } else {
      setState('connecting');
      source = new EventSource(`/api/runs/${encodeURIComponent(runId)}/events`);
      const onData = (ev: MessageEvent<string>) => {
        setState('live');
        try {
          apply(JSON.parse(ev.data) as Partial<RunSummary>);
        } catch {
          // An unparseable frame is skipped; the next one carries the full state again.
        }
      };
      source.onmessage = onData;
      for (const name of ['progress', 'done']) source.addEventListener(name, onData as EventListener);
      // The server ends the stream after "done"; any other end (proxy, restart) falls back to polling.
      source.onerror = () => {
        if (stopped) return;
        source?.close();
        setState('polling');
        void poll();
      };
    }
    return stop;
  }, [runId, qc]);

  return state;
}
