import { useRun, useRuns, useStartRun } from '../api/hooks.js';
import { useRunLive } from '../api/runEvents.js';
import type { User } from '../api/types.js';
import { StatusBadge } from '../components/Badges.js';
import { ScrollTable } from '../components/ScrollTable.js';
import { Empty, ErrorState, InlineError, Loading } from '../components/States.js';
import { fmtAgo, fmtDate } from '../format.js';
import { isAdmin } from '../roles.js';
import { href, navigate } from '../router.js';

const runStatus = (s: string, failed = 0) =>
  s === 'completed' ? (failed ? 'warn' : 'pass') : s === 'failed' || s === 'interrupted' ? 'fail' : 'unknown';
const FINISHED = new Set(['completed', 'failed', 'interrupted']);
const RUN_LABEL: Record<string, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  interrupted: 'Interrupted',
};

/** A run's state: a spinner while it works (not the "?" of an unknown finding), the outcome's colour once done. */
function RunBadge({ status, failed }: { status: string; failed?: number }) {
  const label = RUN_LABEL[status] ?? status;
  if (!FINISHED.has(status))
    return (
      <span className="badge status-unknown">
        <span className="spinner" aria-hidden="true" /> {label}
      </span>
    );
  return <StatusBadge status={runStatus(status, failed)} label={label} />;
}

export default function RunsPage({ runId, user }: { runId?: string; user: User }) {
  const runs = useRuns();
  const start = useStartRun();
  const selected = runId ?? runs.data?.[0]?.id ?? null;

  const onStart = () =>
    start.mutate(undefined, {
      onSuccess: (r) => navigate(href.runs(r.runId)),
    });

  return (
    <>
      <div className="page-head">
        <h1>Collection runs</h1>
        {isAdmin(user) ? (
          <button type="button" className="button button-primary" onClick={onStart} disabled={start.isPending}>
            {start.isPending ? 'Starting…' : 'Start a run'}
          </button>
        ) : null}
      </div>
      <InlineError error={start.error} />
      {selected ? <RunPanel id={selected} onRerun={isAdmin(user) ? onStart : undefined} /> : null}
      <section className="card" aria-labelledby="runs-h">
        <h2 id="runs-h">Recent runs</h2>
        {runs.isPending ? (
          <Loading what="runs" />
        ) : runs.isError ? (
          <ErrorState error={runs.error} retry={() => runs.refetch()} what="runs" />
        ) : runs.data.length === 0 ? (
          <Empty title="No collection run yet.">
            {isAdmin(user) ? 'Start one with the button above.' : 'A distributor admin can start one.'}
          </Empty>
        ) : (
          <ScrollTable label="Runs table" columns={['Started', 'Status', 'Payers', 'Trigger']}>
            {runs.data.map((r) => (
              <tr key={r.id} aria-current={r.id === selected ? 'true' : undefined}>
                <td data-label="Started">
                  <a href={href.runs(r.id)}>{fmtDate(r.startedAt ?? r.createdAt)}</a>
                </td>
                <td data-label="Status">
                  <RunBadge status={r.status} failed={r.failed} />
                </td>
                <td data-label="Payers">
                  {r.collected} of {r.total} collected{r.failed ? `, ${r.failed} failed` : ''}
                </td>
                <td data-label="Trigger">
                  {r.trigger}
                  {r.requestedBy ? <span className="sub">{r.requestedBy}</span> : null}
                </td>
              </tr>
            ))}
          </ScrollTable>
        )}
      </section>
    </>
  );
}

function RunPanel({ id, onRerun }: { id: string; onRerun?: (() => void) | undefined }) {
  const run = useRun(id);
  const status = run.data?.run.status;
  const live = useRunLive(run.data && !FINISHED.has(status ?? '') ? id : null);
  if (run.isPending) return <Loading what="the run" />;
  if (run.isError) return <ErrorState error={run.error} retry={() => run.refetch()} what="the run" />;
  const r = run.data.run;
  const done = r.collected + r.failed;
  const pct = r.total ? Math.round((done / r.total) * 100) : 0;
  const finished = FINISHED.has(r.status);
  const failures = run.data.payers.filter((p) => p.status === 'failed');

  return (
    <section className="card run-panel" aria-labelledby="run-h">
      <h2 id="run-h">
        Run <code>{r.id}</code>
      </h2>
      <p aria-live="polite" className="run-status">
        <RunBadge status={r.status} failed={r.failed} /> {done} of {r.total} payers done
        {r.failed ? `, ${r.failed} failed` : ''}
        {finished
          ? ` · finished ${fmtAgo(r.finishedAt)}`
          : live === 'live'
            ? ' · live'
            : live === 'polling'
              ? ' · updating'
              : ''}
      </p>
      <progress max={Math.max(1, r.total)} value={done} aria-label="Run progress">
        {pct}%
      </progress>
      {r.error ? <p className="inline-error">{r.error}</p> : null}
      {r.status === 'interrupted' ? (
        <p>
          This run stopped before every payer was collected: its queued work was lost (see above). Payers it did collect
          are kept.{' '}
          {onRerun ? (
            <button type="button" className="button button-primary" onClick={onRerun}>
              Run again
            </button>
          ) : (
            'A distributor admin or analyst can start a new run.'
          )}
        </p>
      ) : null}
      {r.recoveryNote ? (
        <p className="muted" data-testid="recovery-note">
          Recovered: {r.recoveryNote}
        </p>
      ) : null}
      {finished ? (
        failures.length === 0 ? (
          <p className="muted">Every payer was collected.</p>
        ) : (
          <>
            <h3>Payers that failed ({failures.length})</h3>
            <p className="muted">Their findings are recorded as unknown, never as passing. Each one says why.</p>
            <ul className="failures">
              {failures.map((f) => (
                <li key={f.payerAccountId}>
                  <a href={href.partner(f.partnerId)}>{f.partnerName ?? f.partnerId}</a> · payer{' '}
                  <code>{f.payerAccountId}</code>: <strong>{f.errorCode ?? 'error'}</strong> {f.errorMessage ?? ''}
                  {f.attempts ? <span className="muted"> (after {f.attempts} attempts)</span> : null}
                </li>
              ))}
            </ul>
          </>
        )
      ) : null}
    </section>
  );
}
