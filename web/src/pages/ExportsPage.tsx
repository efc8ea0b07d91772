import { type FormEvent, useState } from 'react';
import { useCreateExport, useCreateSchedule, useDeleteSchedule, useExports, useSchedules } from '../api/hooks.js';
import type { User } from '../api/types.js';
import { StatusBadge } from '../components/Badges.js';
import { ScrollTable } from '../components/ScrollTable.js';
import { Empty, ErrorState, InlineError, Loading } from '../components/States.js';
import { fmtBytes, fmtDate } from '../format.js';
import { isAdmin, isStaff } from '../roles.js';

const FORMATS = [
  { value: 'csv', label: 'CSV (findings)' },
  { value: 'json', label: 'JSON' },
  { value: 'xlsx', label: 'Spreadsheet (XLSX)' },
  { value: 'pdf', label: 'PDF evidence pack' },
];
const exportStatus = (s: string) => (s === 'ready' ? 'pass' : s === 'failed' ? 'fail' : 'unknown');

function FormatField({ value, onChange }: { value: string; onChange: (format: string) => void }) {
  return (
    <label className="field">
      <span>Format</span>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {FORMATS.map((f) => (
          <option key={f.value} value={f.value}>
            {f.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export default function ExportsPage({ user }: { user: User }) {
  const exportsQ = useExports();
  const create = useCreateExport();
  const [format, setFormat] = useState('csv');
  const [partnerId, setPartnerId] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // A partner viewer's export is always their own partner: the server decides, nothing to send.
    const scope = user.role === 'partner_viewer' ? undefined : partnerId.trim() || undefined;
    create.mutate({ format, ...(scope ? { partnerId: scope } : {}) });
  };

  return (
    <>
      <h1>Exports</h1>
      <section className="card" aria-labelledby="new-h">
        <h2 id="new-h">New export</h2>
        <form className="row-form" onSubmit={submit}>
          <FormatField value={format} onChange={setFormat} />
          {isStaff(user) ? (
            <label className="field">
              <span>Partner id (blank for all)</span>
              <input value={partnerId} onChange={(e) => setPartnerId(e.target.value)} placeholder="all partners" />
            </label>
          ) : null}
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {create.isPending ? 'Requesting…' : 'Create export'}
          </button>
        </form>
        <InlineError error={create.error} />
      </section>
      <section className="card" aria-labelledby="past-h">
        <h2 id="past-h">Past exports</h2>
        {exportsQ.isPending ? (
          <Loading what="exports" />
        ) : exportsQ.isError ? (
          <ErrorState error={exportsQ.error} retry={() => exportsQ.refetch()} what="exports" />
        ) : exportsQ.data.length === 0 ? (
          <Empty title="No exports yet.">Create one above; it appears here when it is ready to download.</Empty>
        ) : (
          <ScrollTable label="Exports table" columns={['Created', 'Format', 'Scope', 'Status', 'File']}>
            {exportsQ.data.map((x) => (
              <tr key={x.id}>
                <td data-label="Created">
                  {fmtDate(x.createdAt)}
                  {x.requestedBy ? <span className="sub">{x.requestedBy}</span> : null}
                </td>
                <td data-label="Format">{x.format.toUpperCase()}</td>
                <td data-label="Scope">
                  {x.partnerId ?? 'All partners'}
                  {x.scheduleId ? <span className="sub">scheduled</span> : null}
                </td>
                <td data-label="Status">
                  <StatusBadge status={exportStatus(x.status)} label={x.status} />
                  {x.error ? <span className="sub">{x.error}</span> : null}
                </td>
                <td data-label="File">
                  {x.status === 'ready' ? (
                    <a href={`/api/exports/${encodeURIComponent(x.id)}/download`} download={x.fileName ?? undefined}>
                      Download {x.fileName ?? x.format}
                      <span className="sub">{fmtBytes(x.sizeBytes)}</span>
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </ScrollTable>
        )}
      </section>
      {isStaff(user) ? <Schedules admin={isAdmin(user)} /> : null}
    </>
  );
}

function Schedules({ admin }: { admin: boolean }) {
  const q = useSchedules(true);
  const create = useCreateSchedule();
  const remove = useDeleteSchedule();
  const [name, setName] = useState('');
  const [cron, setCron] = useState('0 6 * * 1');
  const [format, setFormat] = useState('pdf');
  const [problem, setProblem] = useState<string | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setProblem('Name the schedule so the people receiving it know what it is.');
    if (cron.trim().split(/\s+/).length !== 5)
      return setProblem('The schedule needs five cron fields: minute hour day month weekday.');
    setProblem(null);
    create.mutate(
      { name: name.trim(), cron: cron.trim(), timezone: 'UTC', format, retentionDays: 90 },
      { onSuccess: () => setName('') },
    );
  };

  return (
    <section className="card" aria-labelledby="sched-h">
      <h2 id="sched-h">Schedules</h2>
      {q.isPending ? (
        <Loading what="schedules" />
      ) : q.isError ? (
        <ErrorState error={q.error} retry={() => q.refetch()} what="schedules" />
      ) : q.data.length === 0 ? (
        <p className="muted">No scheduled export.{admin ? ' Add one below.' : ''}</p>
      ) : (
        <ul className="schedules">
          {q.data.map((s) => (
            <li key={s.id}>
              <strong>{s.name}</strong> · {s.format.toUpperCase()} · <code>{s.cron}</code> {s.timezone ?? 'UTC'}
              {s.enabled ? '' : ' · paused'}
              {s.nextRunAt ? <span className="muted"> · next {fmtDate(s.nextRunAt)}</span> : null}
              {s.lastRunAt ? <span className="muted"> · last {fmtDate(s.lastRunAt)}</span> : null}
              {admin ? (
                <button
                  type="button"
                  className="button button-quiet"
                  onClick={() => remove.mutate(s.id)}
                  disabled={remove.isPending}
                >
                  Delete<span className="sr-only"> schedule {s.name}</span>
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <InlineError error={remove.error} />
      {admin ? (
        <form className="row-form" onSubmit={submit} aria-label="Add a schedule">
          <label className="field">
            <span>Name</span>
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Weekly evidence pack" />
          </label>
          <label className="field">
            <span>Cron (UTC)</span>
            <input value={cron} onChange={(e) => setCron(e.target.value)} />
          </label>
          <FormatField value={format} onChange={setFormat} />
          <button type="submit" className="button" disabled={create.isPending}>
            Add schedule
          </button>
          <InlineError error={problem ?? create.error} />
        </form>
      ) : null}
    </section>
  );
}
