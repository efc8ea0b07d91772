import { type FormEvent, useId, useState } from 'react';
import { useSuppress } from '../api/hooks.js';
import { isoInDays } from '../format.js';
import { InlineError } from './States.js';

/**
 * An accepted exception needs a reason and an expiry; the approver is the signed-in admin (the server records it),
 * and a critical control's exception waits for a second admin. No silent, permanent suppressions.
 */
export function SuppressForm({
  partnerId,
  controlId,
  resources,
  onDone,
}: {
  partnerId: string;
  controlId: string;
  resources: string[];
  onDone: () => void;
}) {
  const id = useId();
  const [reason, setReason] = useState('');
  // Well inside the default bound (suppressionMaxDays, 90): the expiry is the end of the chosen day, UTC.
  const [expires, setExpires] = useState(isoInDays(30));
  const [resource, setResource] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const m = useSuppress(partnerId);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim().length < 5) return setProblem('Give a reason of at least a few words: auditors read it.');
    const at = new Date(`${expires}T23:59:59Z`);
    if (Number.isNaN(at.getTime()) || at.getTime() <= Date.now())
      return setProblem('Choose an expiry date in the future.');
    setProblem(null);
    m.mutate({ controlId, resource, reason: reason.trim(), expiresAt: at.toISOString() }, { onSuccess: onDone });
  };

  return (
    <form className="suppress-form" onSubmit={submit} aria-label={`Suppress ${controlId}`} noValidate>
      {resources.length > 0 ? (
        <>
          <label htmlFor={`${id}-res`}>Applies to</label>
          <select id={`${id}-res`} value={resource} onChange={(e) => setResource(e.target.value)}>
            <option value="">The whole control for this partner</option>
            {resources.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <label htmlFor={`${id}-reason`}>Reason</label>
      <textarea id={`${id}-reason`} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} required />
      <label htmlFor={`${id}-exp`}>Expires</label>
      <input
        id={`${id}-exp`}
        type="date"
        value={expires}
        min={isoInDays(1)}
        onChange={(e) => setExpires(e.target.value)}
        required
      />
      <p className="sub">
        You are recorded as the approver. The expiry is bounded by the distributor settings (90 days unless changed); a
        critical control's exception counts only once a second admin approves it.
      </p>
      <InlineError error={problem ?? m.error} />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={m.isPending}>
          {m.isPending ? 'Saving…' : 'Suppress'}
        </button>
        <button type="button" className="button button-quiet" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
