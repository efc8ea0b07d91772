import { type FormEvent, useState } from 'react';
import { useAudit } from '../api/hooks.js';
import { ScrollTable } from '../components/ScrollTable.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { fmtDate } from '../format.js';

export default function AuditPage() {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [applied, setApplied] = useState<{ actor?: string; action?: string }>({});
  const q = useAudit(applied);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setApplied({ actor: actor.trim() || undefined, action: action.trim() || undefined });
  };

  return (
    <>
      <h1>Audit log</h1>
      <section className="card" aria-labelledby="aud-h">
        <h2 id="aud-h" className="sr-only">
          Entries
        </h2>
        <form className="row-form" onSubmit={submit}>
          <label className="field">
            <span>Actor (exact email)</span>
            <input value={actor} onChange={(e) => setActor(e.target.value)} />
          </label>
          <label className="field">
            <span>Action</span>
            <input
              value={action}
              onChange={(e) => setAction(e.target.value)}
              placeholder="login, suppression.create…"
              list="audit-actions"
            />
            <datalist id="audit-actions">
              {[
                'login',
                'login_failed',
                'logout',
                'run.start',
                'suppression.create',
                'suppression.revoke',
                'settings.update',
                'partner.add',
                'export.download',
                'token.create',
                'user.create',
              ].map((a) => (
                <option key={a} value={a} />
              ))}
            </datalist>
          </label>
          <button type="submit" className="button">
            Filter
          </button>
        </form>
        {q.isPending ? (
          <Loading what="the audit log" />
        ) : q.isError ? (
          <ErrorState error={q.error} retry={() => q.refetch()} what="the audit log" />
        ) : q.data.length === 0 ? (
          <Empty title="No entry matches.">Clear the filters to see everything.</Empty>
        ) : (
          <ScrollTable label="Audit log table" columns={['When', 'Who', 'What', 'Target', 'Detail']}>
            {q.data.map((e) => (
              <tr key={String(e.id)}>
                <td data-label="When">{fmtDate(e.at)}</td>
                <td data-label="Who" className="wrap">
                  {e.actor}
                  {e.ip ? <span className="sub">{e.ip}</span> : null}
                </td>
                <td data-label="What">
                  <code>{e.action}</code>
                </td>
                <td data-label="Target" className="wrap">
                  {e.target ?? '—'}
                </td>
                <td data-label="Detail" className="wrap detail">
                  {e.detail ? <code>{JSON.stringify(e.detail)}</code> : '—'}
                </td>
              </tr>
            ))}
          </ScrollTable>
        )}
      </section>
    </>
  );
}
