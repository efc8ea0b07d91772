import { type FormEvent, useId, useState } from 'react';
import { useMe } from '../api/hooks.js';
import {
  type RootAccessTrail,
  type RootAccessWindow,
  useDecideWindow,
  useRequestWindow,
  useRootWindows,
  type WindowSide,
  type WindowState,
} from '../api/root-windows.js';
import type { User } from '../api/types.js';
import { fmtDate } from '../format.js';
import { href } from '../router.js';
import { SeverityBadge, StatusBadge } from './Badges.js';
import { ScrollTable } from './ScrollTable.js';
import { InlineError } from './States.js';

/** Two-party root access on screen: request a window, see its state, and (the other side only) decide it. */

const STATE_BADGE: Record<WindowState, { status: string; label: string }> = {
  pending: { status: 'warn', label: 'Pending' },
  approved: { status: 'pass', label: 'Approved' },
  rejected: { status: 'fail', label: 'Rejected' },
  expired: { status: 'unknown', label: 'Expired undecided' },
};

const sideOf = (u: User): WindowSide | null =>
  u.role === 'admin' ? 'distributor' : u.role === 'partner_viewer' ? 'partner' : null;

const SIDE_LABEL: Record<WindowSide, string> = { partner: 'the partner', distributor: 'the distributor' };

/** The server decides too (403); this only hides buttons nobody could use. */
const canDecide = (w: RootAccessWindow, u: User) =>
  w.state === 'pending' && sideOf(u) === w.decidedBySide && w.requestedBy.toLowerCase() !== u.email.toLowerCase();

/** datetime-local value (the browser's local time) for a moment. */
function localInput(d: Date): string {
  const off = d.getTimezoneOffset() * 60_000;
  return new Date(d.getTime() - off).toISOString().slice(0, 16);
}

function RequestForm({ partnerId, payers, onDone }: { partnerId: string; payers: string[]; onDone: () => void }) {
  const id = useId();
  const start = new Date(Math.ceil((Date.now() + 10 * 60_000) / 300_000) * 300_000);
  const [payer, setPayer] = useState(payers[0] ?? '');
  const [reason, setReason] = useState('');
  const [startsAt, setStartsAt] = useState(localInput(start));
  const [endsAt, setEndsAt] = useState(localInput(new Date(start.getTime() + 2 * 3_600_000)));
  const [problem, setProblem] = useState<string | null>(null);
  const m = useRequestWindow();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const s = new Date(startsAt);
    const en = new Date(endsAt);
    if (reason.trim().length < 5)
      return setProblem('Say why root is needed (the change ticket): the other side reads it.');
    if (Number.isNaN(s.getTime()) || Number.isNaN(en.getTime())) return setProblem('Choose a start and an end.');
    if (en <= s) return setProblem('The end must be after the start.');
    setProblem(null);
    m.mutate(
      { partnerId, payerAccountId: payer, reason: reason.trim(), startsAt: s.toISOString(), endsAt: en.toISOString() },
      { onSuccess: onDone },
    );
  };

  return (
    <form className="suppress-form" onSubmit={submit} aria-label="Request a root-access window" noValidate>
      <label htmlFor={`${id}-payer`}>Payer account</label>
      <select id={`${id}-payer`} value={payer} onChange={(e) => setPayer(e.target.value)}>
        {payers.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-reason`}>Why root is needed</label>
      <textarea id={`${id}-reason`} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} required />
      <label htmlFor={`${id}-start`}>From</label>
      <input
        id={`${id}-start`}
        type="datetime-local"
        value={startsAt}
        onChange={(e) => setStartsAt(e.target.value)}
        required
      />
      <label htmlFor={`${id}-end`}>Until (24 hours at most)</label>
      <input
        id={`${id}-end`}
        type="datetime-local"
        value={endsAt}
        onChange={(e) => setEndsAt(e.target.value)}
        required
      />
      <InlineError error={problem ?? m.error} />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={m.isPending}>
          {m.isPending ? 'Sending…' : 'Send request'}
        </button>
        <button type="button" className="button button-quiet" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Decide({ w }: { w: RootAccessWindow }) {
  const m = useDecideWindow();
  return (
    <span className="actions">
      <button
        type="button"
        className="button button-primary"
        disabled={m.isPending}
        onClick={() => m.mutate({ id: w.id, decision: 'approve' })}
        aria-label={`Approve root-access window ${w.id}`}
      >
        Approve
      </button>
      <button
        type="button"
        className="button"
        disabled={m.isPending}
        onClick={() => m.mutate({ id: w.id, decision: 'reject' })}
        aria-label={`Reject root-access window ${w.id}`}
      >
        Reject
      </button>
      <InlineError error={m.error} />
    </span>
  );
}

function Decision({ w }: { w: RootAccessWindow }) {
  const b = STATE_BADGE[w.state];
  return (
    <>
      <StatusBadge status={b.status} label={b.label} />
      {w.decidedBy ? (
        <span className="sub">
          by {w.decidedBy}, {fmtDate(w.decidedAt)}
          {w.decisionNote ? `: “${w.decisionNote}”` : ''}
        </span>
      ) : w.state === 'pending' ? (
        <span className="sub">waiting for {SIDE_LABEL[w.decidedBySide]}</span>
      ) : null}
    </>
  );
}

/** The partner drill-down's section: the trail (request, decision, events in the window) and the violations. */
export function RootAccessSection({
  partnerId,
  payers,
  trail,
  user,
}: {
  partnerId: string;
  payers: string[];
  trail: RootAccessTrail | undefined;
  user: User;
}) {
  const [asking, setAsking] = useState(false);
  const windows = trail?.windows ?? [];
  const outside = trail?.outside ?? [];
  const mySide = sideOf(user);
  return (
    <section className="card" aria-labelledby="rootwin-h">
      <div className="section-head">
        <h2 id="rootwin-h">Root-access windows ({windows.length})</h2>
        {mySide && payers.length && !asking ? (
          <button type="button" className="button" onClick={() => setAsking(true)}>
            Request a root-access window…
          </button>
        ) : null}
      </div>
      <p className="muted">
        Root is used by two parties: one side asks for a window, the other approves it. Root events inside an approved
        window are expected; outside every window they are violations.
      </p>
      {asking ? <RequestForm partnerId={partnerId} payers={payers} onDone={() => setAsking(false)} /> : null}
      {windows.length === 0 ? (
        <p className="muted">No root-access window has been requested for this partner.</p>
      ) : (
        <ScrollTable
          label="Root-access windows table"
          columns={['Window', 'Reason', 'Requested', 'Decision', 'Root events inside']}
        >
          {windows.map((w) => (
            <tr key={w.id} data-window={w.id}>
              <td data-label="Window">
                {fmtDate(w.startsAt)} – {fmtDate(w.endsAt)}
                <span className="sub">payer {w.payerAccountId}</span>
              </td>
              <td data-label="Reason" className="wrap">
                {w.reason}
              </td>
              <td data-label="Requested">
                {w.requestedBy}
                <span className="sub">
                  {SIDE_LABEL[w.requestedBySide]}, {fmtDate(w.requestedAt)}
                </span>
              </td>
              <td data-label="Decision">
                <Decision w={w} />
                {canDecide(w, user) ? <Decide w={w} /> : null}
              </td>
              <td data-label="Root events inside">
                {w.events.length === 0 ? (
                  <span className="muted">none recorded</span>
                ) : (
                  <ul className="plain">
                    {w.events.map((e) => (
                      <li key={e.eventId}>
                        <code>{e.eventName}</code> {fmtDate(e.eventTime)}
                        {e.mfaUsed === false ? ' (no MFA)' : ''}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </ScrollTable>
      )}
      {outside.length ? (
        <>
          <h3>Root events outside every approved window ({outside.length})</h3>
          <ul className="findings">
            {outside.map((e) => (
              <li key={e.eventId}>
                <div className="finding-head">
                  <StatusBadge status={e.status} /> <SeverityBadge severity={e.severity} /> <span>{e.message}</span>
                </div>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

/** The distributor's inbox on the overview: requests from partners waiting for a distributor admin. */
export function PendingRootRequests() {
  const user = useMe().data?.user;
  const q = useRootWindows({ state: 'pending' });
  const waiting = (q.data ?? []).filter((w) => w.decidedBySide === 'distributor');
  if (q.isPending || (!waiting.length && !q.error)) return null;
  return (
    <section className="card" aria-labelledby="pending-root-h">
      <h2 id="pending-root-h">
        Root-access requests waiting for the distributor <span className="badge status-warn">{waiting.length}</span>
      </h2>
      <InlineError error={q.error} />
      <ScrollTable
        label="Pending root-access requests"
        columns={['Partner', 'Window', 'Reason', 'Requested', 'Decide']}
      >
        {waiting.map((w) => (
          <tr key={w.id} data-window={w.id}>
            <td data-label="Partner">
              <a href={href.partner(w.partnerId)}>{w.partnerId}</a>
              <span className="sub">payer {w.payerAccountId}</span>
            </td>
            <td data-label="Window">
              {fmtDate(w.startsAt)} – {fmtDate(w.endsAt)}
            </td>
            <td data-label="Reason" className="wrap">
              {w.reason}
            </td>
            <td data-label="Requested">
              {w.requestedBy}
              <span className="sub">{fmtDate(w.requestedAt)}</span>
            </td>
            <td data-label="Decide">
              {user && canDecide(w, user) ? (
                <Decide w={w} />
              ) : (
                <span className="muted">a distributor admin decides</span>
              )}
            </td>
          </tr>
        ))}
      </ScrollTable>
    </section>
  );
}
