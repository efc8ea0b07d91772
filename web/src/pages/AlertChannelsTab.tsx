import { type FormEvent, useState } from 'react';
import {
  ALERT_EVENTS,
  type AlertChannel,
  type AlertEvent,
  useAlertChannels,
  useAlertDeliveries,
  useCreateAlertChannel,
  useDeleteAlertChannel,
} from '../api/alerts.js';
import { StatusBadge } from '../components/Badges.js';
import { ScrollTable } from '../components/ScrollTable.js';
import { ErrorState, InlineError, Loading } from '../components/States.js';
import { fmtAgo } from '../format.js';

const EVENT_LABEL: Record<AlertEvent, string> = {
  'root-activity': 'Root activity (live, from the root-activity monitor)',
  lockout: 'Lockout (the collector role cannot be assumed)',
  'new-critical-finding': 'New critical finding',
};

const STATUS_CLASS: Record<string, string> = {
  delivered: 'pass',
  pending: 'unknown',
  retrying: 'warn',
  failed: 'fail',
};

function Deliveries({ channel }: { channel: AlertChannel }) {
  const q = useAlertDeliveries(channel.id);
  if (q.isPending) return <Loading what="deliveries" />;
  if (q.isError) return <ErrorState error={q.error} retry={() => q.refetch()} what="deliveries" />;
  if (q.data.length === 0) return <p className="muted">Nothing sent to this channel yet.</p>;
  return (
    <ScrollTable
      label={`Deliveries to ${channel.url}`}
      columns={['When', 'Event', 'Status', 'Attempts', 'Message']}
      wrapClassName="table-wrap list-scroll"
    >
      {q.data.map((d) => (
        <tr key={d.id}>
          <td data-label="When">{fmtAgo(d.createdAt)}</td>
          <td data-label="Event">{d.event}</td>
          <td data-label="Status">
            <StatusBadge status={STATUS_CLASS[d.status] ?? 'unknown'} label={d.status} />
            {d.lastError ? <span className="sub wrap">{d.lastError}</span> : null}
          </td>
          <td data-label="Attempts">{d.attempts}</td>
          <td data-label="Message" className="wrap">
            {d.text}
          </td>
        </tr>
      ))}
    </ScrollTable>
  );
}

/** Admin: webhook channels for alerts, each with its latest deliveries and their status. */
export function AlertChannelsTab() {
  const channels = useAlertChannels();
  const create = useCreateAlertChannel();
  const remove = useDeleteAlertChannel();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<AlertEvent[]>([...ALERT_EVENTS]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ kind: 'webhook', url: url.trim(), events }, { onSuccess: () => setUrl('') });
  };
  const toggle = (ev: AlertEvent) =>
    setEvents((cur) => (cur.includes(ev) ? cur.filter((x) => x !== ev) : [...cur, ev]));

  return (
    <>
      <section className="card" aria-labelledby="alert-new-h">
        <h2 id="alert-new-h">Add an alert channel</h2>
        <p className="muted">
          Slack-compatible JSON (a <code>text</code> line plus fields), signed with HMAC-SHA256 in{' '}
          <code>X-PayerGuard-Signature</code>, retried with backoff.
        </p>
        {create.data ? (
          <div className="callout" role="status">
            <p>
              <strong>Copy the signing secret now: it is shown once.</strong> Check{' '}
              <code>{create.data.signatureHeader}: sha256=HMAC-SHA256(secret, raw body)</code>.
            </p>
            <code className="token wrap">{create.data.secret}</code>
          </div>
        ) : null}
        <form className="row-form" onSubmit={submit}>
          <label className="field">
            <span>Webhook URL</span>
            <input
              type="url"
              required
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              placeholder="https://hooks.slack.com/services/…"
            />
          </label>
          <fieldset className="group">
            <legend>Events</legend>
            {ALERT_EVENTS.map((ev) => (
              <label key={ev}>
                <input type="checkbox" checked={events.includes(ev)} onChange={() => toggle(ev)} /> {EVENT_LABEL[ev]}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="button" disabled={create.isPending || !url.trim() || events.length === 0}>
            Add channel
          </button>
          <InlineError error={create.error} />
        </form>
      </section>

      {channels.isPending ? (
        <Loading what="alert channels" />
      ) : channels.isError ? (
        <ErrorState error={channels.error} retry={() => channels.refetch()} what="alert channels" />
      ) : channels.data.length === 0 ? (
        <p className="muted">No alert channel yet.</p>
      ) : (
        channels.data.map((c) => (
          <section key={c.id} className="card" aria-label={`Alert channel ${c.url}`}>
            <h2 className="wrap">
              {c.kind} <code>{c.url}</code>
            </h2>
            <p className="muted">
              {c.events.join(', ')} · added by {c.createdBy} {fmtAgo(c.createdAt)}{' '}
              <button
                type="button"
                className="button button-quiet"
                onClick={() => remove.mutate(c.id)}
                disabled={remove.isPending}
              >
                Remove<span className="sr-only"> channel {c.url}</span>
              </button>
            </p>
            <Deliveries channel={c} />
          </section>
        ))
      )}
      <InlineError error={remove.error} />
    </>
  );
}
