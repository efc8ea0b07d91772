import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { keys, useRunUnderway } from '../api/hooks.js';
import { fmtInt } from '../format.js';
import { href } from '../router.js';

/**
 * Says that a collection run is working, how far it has got, and where to follow it; when it finishes, the figures
 * around it are refreshed (scores are written when the whole run is scored, so they change then, not before).
 */
export function RunUnderway({ enabled = true }: { enabled?: boolean }) {
  const q = useRunUnderway(enabled);
  const qc = useQueryClient();
  const runId = q.data?.id ?? null;
  const seen = useRef<string | null>(null);
  useEffect(() => {
    if (seen.current && seen.current !== runId) void qc.invalidateQueries({ queryKey: keys.overview });
    seen.current = runId;
  }, [runId, qc]);

  const r = q.data;
  if (!r) return null;
  const done = r.collected + r.failed;
  return (
    <section className="callout run-underway" aria-labelledby="run-underway-h">
      <h2 id="run-underway-h">
        <span className="spinner" aria-hidden="true" /> A collection run is under way
      </h2>
      <p aria-live="polite">
        {r.status === 'queued'
          ? 'Queued: waiting for a worker to pick it up.'
          : `${fmtInt(done)} of ${fmtInt(r.total)} payers done${r.failed ? `, ${fmtInt(r.failed)} failed` : ''}.`}{' '}
        The figures on this page change when it finishes. <a href={href.runs(r.id)}>Follow the run</a>
      </p>
      <progress max={Math.max(1, r.total)} value={done} aria-label="Collection run progress" />
    </section>
  );
}
