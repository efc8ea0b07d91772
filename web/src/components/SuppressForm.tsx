import { type FormEvent, useId, useState } from 'react';
import { useSuppress } from '../api/hooks.js';
import { isoInDays } from '../format.js';
import { InlineError } from './States.js';

/** An accepted exception needs a reason, a named approver and an expiry: no silent, permanent suppressions. */
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
  const [approver, setApprover] = useState('');
  const [expires, setExpires] = useState(isoInDays(90));
  const [resource, setResource] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const m = useSuppress(partnerId);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim().length < 5) return setProblem('Give a reason of at least a few words: auditors read it.');
    if (!approver.trim()) return setProblem('Name who approved this exception.');
    const at = new Date(`${expires}T23:59:59Z`);
    if (Number.isNaN(at.getTime()) || at.getTime() <= Date.now())
      return setProblem('Choose an expiry date in the future.');
    setProblem(null);
    m.mutate(
      { controlId, resource, reason: reason.trim(), approver: approver.trim(), expiresAt: at.toISOString() },
      { onSuccess: onDone },
    );
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
      <label htmlFor={`${id}-approver`}>Approver</label>
      <input
        id={`${id}-approver`}
        value={approver}
        onChange={(e) => setApprover(e.target.value)}
        required
        placeholder="name or email"
      />
      <label htmlFor={`${id}-exp`}>Expires</label>
      <input
        id={`${id}-exp`}
        type="date"
        value={expires}
        min={isoInDays(1)}
        onChange={(e) => setExpires(e.target.value)}
        required
      />
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
