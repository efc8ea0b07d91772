import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import {
  useAdminPartners,
  useControls,
  useCreateExport,
  useCreateSchedule,
  useDeleteSchedule,
  useExports,
  useSchedules,
  useUpdateSchedule,
} from '../api/hooks.js';
import type {
  DeliveryState,
  ExportFormat,
  ExportScope,
  ExportView,
  ScheduleDelivery,
  ScheduleDeliveryInput,
  ScheduleInput,
  ScheduleView,
  User,
} from '../api/types.js';
import { GRADES } from '../api/types.js';
import { StatusBadge } from '../components/Badges.js';
import { ScrollTable } from '../components/ScrollTable.js';
import { Empty, ErrorState, InlineError, Loading } from '../components/States.js';
import { fmtBytes, fmtDate } from '../format.js';
import { isAdmin, isStaff } from '../roles.js';

const FORMATS: { value: ExportFormat; label: string }[] = [
  { value: 'csv', label: 'CSV (findings)' },
  { value: 'json', label: 'JSON' },
  { value: 'xlsx', label: 'Spreadsheet (XLSX)' },
  { value: 'pdf', label: 'PDF evidence pack' },
];
/** Common IANA zones; the browser's own zone is offered too when it is not one of them. */
const TIMEZONES = [
  'UTC',
  'Europe/London',
  'Europe/Dublin',
  'Europe/Lisbon',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Amsterdam',
  'Europe/Madrid',
  'Europe/Rome',
  'Europe/Stockholm',
  'Europe/Warsaw',
  'Europe/Athens',
  'Europe/Istanbul',
  'Africa/Johannesburg',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Singapore',
  'Asia/Hong_Kong',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Australia/Perth',
  'Australia/Sydney',
  'Pacific/Auckland',
  'America/Sao_Paulo',
  'America/Mexico_City',
  'America/New_York',
  'America/Toronto',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
];
const BROWSER_TZ = (() => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return 'UTC';
  }
})();
/** A partner picker is a select up to this many partners, a text field with suggestions beyond. */
const SELECT_MAX_PARTNERS = 300;
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PARTNER_ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

const exportStatus = (s: string) => (s === 'ready' ? 'pass' : s === 'failed' ? 'fail' : 'unknown');
const formatLabel = (f: string) => f.toUpperCase();

// ------------------------------------------------------------------ scope

type ScopeMode = 'all' | 'partner' | 'filter';
interface ScopeDraft {
  mode: ScopeMode;
  partnerId: string;
  grades: string[];
  failingControl: string;
}
const ALL_PARTNERS: ScopeDraft = { mode: 'all', partnerId: '', grades: [], failingControl: '' };

/** The API's scope from the form, or what is missing. */
function scopeOf(d: ScopeDraft): { scope: ExportScope } | { problem: string } {
  if (d.mode === 'partner') {
    const partnerId = d.partnerId.trim();
    if (!partnerId) return { problem: 'Choose the partner to export.' };
    if (!PARTNER_ID_RE.test(partnerId))
      return { problem: 'A partner id is lower-case letters, digits and "-", e.g. acme-cloud.' };
    return { scope: { partnerId } };
  }
  if (d.mode === 'filter') {
    if (d.grades.length === 0 && !d.failingControl)
      return { problem: 'Pick at least one grade or a failing control, or export all partners.' };
    return {
      scope: {
        ...(d.grades.length ? { grades: GRADES.filter((g) => d.grades.includes(g)) } : {}),
        ...(d.failingControl ? { failingControl: d.failingControl } : {}),
      },
    };
  }
  return { scope: {} };
}

/** "All partners", "acme-cloud", "grade D or F, failing ROOT-MFA". */
function describeScope(scope: ExportScope | undefined, partnerId?: string | null): string {
  const parts: string[] = [];
  const partner = scope?.partnerId ?? partnerId;
  if (partner) parts.push(partner);
  if (scope?.grades?.length) parts.push(`grade ${scope.grades.join(' or ')}`);
  if (scope?.failingControl) parts.push(`failing ${scope.failingControl}`);
  return parts.length ? parts.join(', ') : 'All partners';
}

function ScopeFields({ value, onChange }: { value: ScopeDraft; onChange: (d: ScopeDraft) => void }) {
  const id = useId();
  const set = (patch: Partial<ScopeDraft>) => onChange({ ...value, ...patch });
  const modes: { mode: ScopeMode; label: string }[] = [
    { mode: 'all', label: 'All partners' },
    { mode: 'partner', label: 'One partner' },
    { mode: 'filter', label: 'By grade or failing control' },
  ];
  return (
    <fieldset className="group">
      <legend>Partners</legend>
      <div className="choice-list">
        {modes.map((m) => (
          <label key={m.mode} className="choice">
            <input
              type="radio"
              name={`${id}-scope`}
              value={m.mode}
              checked={value.mode === m.mode}
              onChange={() => set({ mode: m.mode })}
            />
            {m.label}
          </label>
        ))}
      </div>
      {value.mode === 'partner' ? (
        <PartnerField value={value.partnerId} onChange={(p) => set({ partnerId: p })} />
      ) : null}
      {value.mode === 'filter' ? (
        <>
          <fieldset className="plain">
            <legend className="field-legend">Grades (any of)</legend>
            <div className="choice-list">
              {GRADES.map((g) => (
                <label key={g} className="choice">
                  <input
                    type="checkbox"
                    checked={value.grades.includes(g)}
                    onChange={(e) =>
                      set({ grades: e.target.checked ? [...value.grades, g] : value.grades.filter((x) => x !== g) })
                    }
                  />
                  {g}
                </label>
              ))}
            </div>
          </fieldset>
          <FailingControlField value={value.failingControl} onChange={(c) => set({ failingControl: c })} />
          <p className="help">Both set: partners with one of the grades and a failing finding on that control.</p>
        </>
      ) : null}
    </fieldset>
  );
}

function PartnerField({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const partners = useAdminPartners();
  const listId = useId();
  const list = partners.data ?? [];
  if (partners.isSuccess && list.length > 0 && list.length <= SELECT_MAX_PARTNERS)
    return (
      <label className="field">
        <span>Partner</span>
        <select value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">Choose a partner…</option>
          {list.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name === p.id ? p.id : `${p.name} (${p.id})`}
            </option>
          ))}
        </select>
      </label>
    );
  return (
    <label className="field">
      <span>Partner id</span>
      <input
        value={value}
        onChange={(e) => onChange(e.target.value)}
        list={list.length ? listId : undefined}
        placeholder="acme-cloud"
        autoComplete="off"
      />
      {list.length ? (
        <datalist id={listId}>
          {list.slice(0, 5000).map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </datalist>
      ) : null}
    </label>
  );
}

function FailingControlField({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const controls = useControls();
  if (controls.isError)
    return (
      <label className="field">
        <span>Failing control id (control list unavailable)</span>
        <input value={value} onChange={(e) => onChange(e.target.value.trim())} placeholder="ROOT-MFA" />
      </label>
    );
  return (
    <label className="field">
      <span>Failing control</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} disabled={controls.isPending}>
        <option value="">{controls.isPending ? 'Loading controls…' : 'Any control'}</option>
        {(controls.data ?? []).map((c) => (
          <option key={c.id} value={c.id}>
            {c.id} · {c.title}
          </option>
        ))}
      </select>
    </label>
  );
}

function FormatField({ value, onChange }: { value: ExportFormat; onChange: (format: ExportFormat) => void }) {
  return (
    <label className="field">
      <span>Format</span>
      <select value={value} onChange={(e) => onChange(FORMATS.find((f) => f.value === e.target.value)?.value ?? value)}>
        {FORMATS.map((f) => (
          <option key={f.value} value={f.value}>
            {f.label}
          </option>
        ))}
      </select>
    </label>
  );
}

// ------------------------------------------------------------------ page

export default function ExportsPage({ user }: { user: User }) {
  const staff = isStaff(user);
  const exportsQ = useExports();
  const schedulesQ = useSchedules(staff);
  // Only known once the schedules are loaded (staff); a scheduled export outlives its deleted schedule.
  const scheduleName = schedulesQ.isSuccess ? new Map(schedulesQ.data.map((s) => [s.id, s.name])) : null;

  return (
    <>
      <h1>Exports</h1>
      <NewExport user={user} />
      <section className="card" aria-labelledby="past-h">
        <h2 id="past-h">Past exports</h2>
        {exportsQ.isPending ? (
          <Loading what="exports" />
        ) : exportsQ.isError ? (
          <ErrorState error={exportsQ.error} retry={() => exportsQ.refetch()} what="exports" />
        ) : exportsQ.data.length === 0 ? (
          <Empty title="No exports yet.">Create one above; it appears here when it is ready to download.</Empty>
        ) : (
          <ScrollTable
            label="Exports table"
            columns={['Created', 'Format', 'Partners', 'Status', ...(staff ? ['Delivery'] : []), 'File']}
          >
            {exportsQ.data.map((x) => (
              <ExportRow key={x.id} x={x} staff={staff} scheduleName={scheduleName} />
            ))}
          </ScrollTable>
        )}
      </section>
      {staff ? <Schedules admin={isAdmin(user)} /> : null}
    </>
  );
}

function NewExport({ user }: { user: User }) {
  const create = useCreateExport();
  const id = useId();
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [scope, setScope] = useState<ScopeDraft>(ALL_PARTNERS);
  const [asOfMode, setAsOfMode] = useState<'latest' | 'date'>('latest');
  const [asOfDay, setAsOfDay] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const today = new Date().toISOString().slice(0, 10);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // A partner viewer's export is always their own partner: the server decides, nothing to send.
    const s = isStaff(user) ? scopeOf(scope) : { scope: {} };
    if ('problem' in s) return setProblem(s.problem);
    if (asOfMode === 'date' && !asOfDay) return setProblem('Choose the date of the snapshot, or use the latest.');
    setProblem(null);
    create.mutate({
      format,
      ...(Object.keys(s.scope).length ? { scope: s.scope } : {}),
      // The latest snapshot taken on or before the end of that day (UTC).
      ...(asOfMode === 'date' ? { asOf: `${asOfDay}T23:59:59.999Z` } : {}),
    });
  };

  return (
    <section className="card" aria-labelledby="new-h">
      <h2 id="new-h">New export</h2>
      <form onSubmit={submit} noValidate>
        <div className="form-grid">
          <FormatField value={format} onChange={setFormat} />
          {isStaff(user) ? <ScopeFields value={scope} onChange={setScope} /> : null}
          <fieldset className="group">
            <legend>Snapshot</legend>
            <div className="choice-list">
              <label className="choice">
                <input
                  type="radio"
                  name={`${id}-asof`}
                  checked={asOfMode === 'latest'}
                  onChange={() => setAsOfMode('latest')}
                />
                Latest
              </label>
              <label className="choice">
                <input
                  type="radio"
                  name={`${id}-asof`}
                  checked={asOfMode === 'date'}
                  onChange={() => setAsOfMode('date')}
                />
                As of a date
              </label>
            </div>
            {asOfMode === 'date' ? (
              <label className="field">
                <span>As of (end of day, UTC)</span>
                <input type="date" value={asOfDay} max={today} onChange={(e) => setAsOfDay(e.target.value)} />
              </label>
            ) : null}
          </fieldset>
        </div>
        <div className="actions form-actions">
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {create.isPending ? 'Requesting…' : 'Create export'}
          </button>
          {create.isSuccess && !create.isPending ? (
            <span className="muted" role="status">
              Requested: it is listed below and can be downloaded when ready.
            </span>
          ) : null}
        </div>
        <InlineError error={problem ?? create.error} />
      </form>
    </section>
  );
}

// ------------------------------------------------------------------ past exports

/** A cell whose content stays one block when a narrow window stacks the table into "label | content" rows. */
function Cell({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <td data-label={label} className={className}>
      <div className="cell">{children}</div>
    </td>
  );
}

const DELIVERY_TARGET: Record<string, string> = { s3: 'S3', webhook: 'Webhook' };

function DeliveryLine({ d }: { d: DeliveryState }) {
  const target = DELIVERY_TARGET[d.target] ?? d.target;
  const tries = `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`;
  const badge =
    d.status === 'delivered' ? (
      <StatusBadge status="pass" label="Delivered" />
    ) : d.status === 'retrying' ? (
      <StatusBadge status="warn" label={`Retrying (${tries})`} />
    ) : d.status === 'failed' ? (
      <StatusBadge status="fail" label={`Failed after ${tries}`} />
    ) : (
      <StatusBadge status="unknown" label={d.status === 'pending' ? 'Pending' : d.status} />
    );
  return (
    <li>
      <span className="delivery-target">{target}</span> {badge}
      {d.destination ? <span className="sub wrap">{d.destination}</span> : null}
      {d.status === 'delivered' && d.deliveredAt ? <span className="sub">{fmtDate(d.deliveredAt)}</span> : null}
      {d.lastError && d.status !== 'delivered' ? <span className="sub error-text wrap">{d.lastError}</span> : null}
    </li>
  );
}

function ExportRow({
  x,
  staff,
  scheduleName,
}: {
  x: ExportView;
  staff: boolean;
  scheduleName: Map<string, string> | null;
}) {
  return (
    <tr>
      <Cell label="Created">
        {fmtDate(x.createdAt)}
        {x.scheduleId ? (
          <span className="sub">
            {scheduleName ? `scheduled: ${scheduleName.get(x.scheduleId) ?? 'deleted schedule'}` : 'scheduled'}
          </span>
        ) : x.requestedBy ? (
          <span className="sub wrap">{x.requestedBy}</span>
        ) : null}
      </Cell>
      <Cell label="Format">{formatLabel(x.format)}</Cell>
      <Cell label="Partners" className="wrap">
        {describeScope(x.scope, x.partnerId)}
        <span className="sub">{x.asOf ? `as of ${fmtDate(x.asOf)}` : 'latest snapshot'}</span>
      </Cell>
      <Cell label="Status">
        <StatusBadge status={exportStatus(x.status)} label={x.status} />
        {x.status === 'failed' ? (
          <span className="sub error-text wrap">{x.error || 'No reason recorded.'}</span>
        ) : x.error ? (
          <span className="sub wrap">{x.error}</span>
        ) : null}
        {x.status === 'ready' && x.expiresAt ? <span className="sub">kept until {fmtDate(x.expiresAt)}</span> : null}
      </Cell>
      {staff ? (
        <Cell label="Delivery">
          {x.deliveries?.length ? (
            <ul className="deliveries">
              {x.deliveries.map((d) => (
                <DeliveryLine key={d.target} d={d} />
              ))}
            </ul>
          ) : (
            <span className="muted">—</span>
          )}
        </Cell>
      ) : null}
      <Cell label="File">
        {x.status === 'ready' ? (
          <a href={`/api/exports/${encodeURIComponent(x.id)}/download`} download={x.fileName ?? undefined}>
            Download {x.fileName ?? x.format}
            <span className="sub">{fmtBytes(x.sizeBytes)}</span>
          </a>
        ) : (
          '—'
        )}
      </Cell>
    </tr>
  );
}

// ------------------------------------------------------------------ schedules

/** The next run in the schedule's own zone, e.g. "Mon 30 Nov 2026, 07:00 CET". */
function fmtInZone(iso: string, timezone: string): string {
  try {
    return new Date(iso).toLocaleString('en-GB', {
      weekday: 'short',
      year: 'numeric',
      month: 'short',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: timezone,
      timeZoneName: 'short',
    });
  } catch {
    return fmtDate(iso);
  }
}

function cleanDelivery(d: ScheduleDelivery | undefined): ScheduleDeliveryInput {
  const out: ScheduleDeliveryInput = {};
  if (d?.s3?.bucket) out.s3 = { bucket: d.s3.bucket, ...(d.s3.prefix ? { prefix: d.s3.prefix } : {}) };
  if (d?.webhook?.url) out.webhook = { url: d.webhook.url };
  return out;
}

/** PUT replaces the whole schedule: its current settings with a change. */
const inputOf = (s: ScheduleView, change: Partial<ScheduleInput> = {}): ScheduleInput => ({
  name: s.name,
  cron: s.cron,
  timezone: s.timezone ?? 'UTC',
  format: s.format,
  scope: s.scope ?? {},
  retentionDays: s.retentionDays ?? 90,
  delivery: cleanDelivery(s.delivery),
  enabled: s.enabled,
  ...change,
});

function NextRun({ s }: { s: ScheduleView }) {
  if (!s.enabled) return <span className="sub">paused: no next run</span>;
  if (!s.nextRunAt) return null;
  const tz = s.timezone ?? 'UTC';
  return (
    <span className="sub">
      next {fmtInZone(s.nextRunAt, tz)}
      {tz === 'UTC' ? '' : ` (${fmtDate(s.nextRunAt)})`}
    </span>
  );
}

/** A webhook URL's query string may hold a token: the list shows where it goes, not its credentials. */
function withoutQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return url;
  }
}

function DeliverySummary({ d }: { d: ScheduleDelivery | undefined }) {
  const c = cleanDelivery(d);
  if (!c.s3 && !c.webhook) return <span className="muted">Kept in payerguard only</span>;
  return (
    <ul className="deliveries">
      {c.s3 ? (
        <li className="wrap">
          <span className="delivery-target">S3</span> s3://{c.s3.bucket}/{c.s3.prefix ?? ''}
        </li>
      ) : null}
      {c.webhook ? (
        <li className="wrap">
          <span className="delivery-target">Webhook</span> {withoutQuery(c.webhook.url)}
        </li>
      ) : null}
    </ul>
  );
}

/** A button that asks once more before it acts (no browser dialog: it would block, and tests dismiss it). */
function ConfirmButton({
  label,
  confirm,
  subject,
  onConfirm,
  disabled,
}: {
  label: string;
  confirm: string;
  subject: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className="button button-quiet" onClick={() => setAsking(true)} disabled={disabled}>
        {label}
        <span className="sr-only"> {subject}</span>
      </button>
    );
  return (
    <span className="confirm">
      <button
        type="button"
        className="button button-quiet button-danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
        disabled={disabled}
      >
        {confirm}
        <span className="sr-only"> {subject}</span>
      </button>
      <button type="button" className="button button-quiet" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

function SecretBox({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const ref = useRef<HTMLElement>(null);
  const codeRef = useRef<HTMLElement>(null);
  const headingId = useId();
  const [copied, setCopied] = useState('');
  useEffect(() => {
    ref.current?.focus();
  }, []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied to the clipboard.');
    } catch {
      // No clipboard access (permissions, insecure origin): select it so Ctrl+C / Cmd+C copies it.
      const sel = window.getSelection();
      if (sel && codeRef.current) {
        const range = document.createRange();
        range.selectNodeContents(codeRef.current);
        sel.removeAllRanges();
        sel.addRange(range);
      }
      setCopied('The clipboard is not available here: the secret is selected, copy it with Ctrl+C (Cmd+C).');
    }
  };
  return (
    <section className="callout callout-secret" aria-labelledby={headingId} ref={ref} tabIndex={-1}>
      <h3 id={headingId}>Webhook signing secret for “{name}”</h3>
      <p>
        <strong>Copy it now: it will not be shown again.</strong> Each delivery carries{' '}
        <code>X-PayerGuard-Signature: sha256=…</code>, the HMAC-SHA256 of the body with this secret; your receiver needs
        it to check deliveries come from payerguard. Lost it? Use “New secret” on the schedule.
      </p>
      <div className="secret-row">
        <code className="token wrap" ref={codeRef} data-testid="webhook-secret">
          {secret}
        </code>
        <button type="button" className="button" onClick={copy}>
          Copy secret
        </button>
      </div>
      <p className="help" aria-live="polite">
        {copied}
      </p>
      <button type="button" className="button button-quiet" onClick={onDone}>
        I have stored it
      </button>
    </section>
  );
}

function Schedules({ admin }: { admin: boolean }) {
  const q = useSchedules(true);
  const update = useUpdateSchedule();
  const remove = useDeleteSchedule();
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const busyId = update.isPending ? update.variables?.id : remove.isPending ? remove.variables : undefined;

  const toggle = (s: ScheduleView) => update.mutate({ id: s.id, body: inputOf(s, { enabled: !s.enabled }) });
  const rotate = (s: ScheduleView) =>
    update.mutate(
      { id: s.id, body: inputOf(s), rotateSecret: true },
      { onSuccess: (r) => (r.webhookSecret ? setSecret({ name: r.schedule.name, secret: r.webhookSecret }) : null) },
    );

  return (
    <section className="card" aria-labelledby="sched-h">
      <h2 id="sched-h">Schedules</h2>
      {admin ? null : <p className="muted">Read-only: a distributor admin adds, pauses and removes schedules.</p>}
      {q.isPending ? (
        <Loading what="schedules" />
      ) : q.isError ? (
        <ErrorState error={q.error} retry={() => q.refetch()} what="schedules" />
      ) : q.data.length === 0 ? (
        <p className="muted">No scheduled export.{admin ? ' Add one below.' : ''}</p>
      ) : (
        <ScrollTable
          label="Schedules table"
          columns={['Schedule', 'Runs', 'Partners', 'Delivery', 'Last run', 'Status', ...(admin ? ['Actions'] : [])]}
        >
          {q.data.map((s) => (
            <tr key={s.id}>
              <Cell label="Schedule" className="wrap">
                <strong>{s.name}</strong>
                <span className="sub">
                  {formatLabel(s.format)} · kept {s.retentionDays ?? 90} days
                </span>
              </Cell>
              <Cell label="Runs">
                <code>{s.cron}</code> {s.timezone ?? 'UTC'}
                <NextRun s={s} />
              </Cell>
              <Cell label="Partners" className="wrap">
                {describeScope(s.scope)}
              </Cell>
              <Cell label="Delivery">
                <DeliverySummary d={s.delivery} />
              </Cell>
              <Cell label="Last run">{s.lastRunAt ? fmtDate(s.lastRunAt) : 'never'}</Cell>
              <Cell label="Status">
                {admin ? (
                  <label className="choice">
                    <input
                      type="checkbox"
                      role="switch"
                      checked={s.enabled}
                      aria-checked={s.enabled}
                      onChange={() => toggle(s)}
                      disabled={busyId === s.id}
                    />
                    Enabled<span className="sr-only">: {s.name}</span>
                  </label>
                ) : (
                  <StatusBadge status={s.enabled ? 'pass' : 'unknown'} label={s.enabled ? 'Enabled' : 'Paused'} />
                )}
              </Cell>
              {admin ? (
                <Cell label="Actions">
                  <span className="actions">
                    {s.delivery?.webhook?.url ? (
                      <ConfirmButton
                        label="New secret"
                        confirm="Replace secret"
                        subject={`for schedule ${s.name}`}
                        onConfirm={() => rotate(s)}
                        disabled={busyId === s.id}
                      />
                    ) : null}
                    <ConfirmButton
                      label="Delete"
                      confirm="Yes, delete"
                      subject={`schedule ${s.name}`}
                      onConfirm={() => remove.mutate(s.id)}
                      disabled={busyId === s.id}
                    />
                  </span>
                </Cell>
              ) : null}
            </tr>
          ))}
        </ScrollTable>
      )}
      <InlineError error={update.error ?? remove.error} />
      {secret ? <SecretBox name={secret.name} secret={secret.secret} onDone={() => setSecret(null)} /> : null}
      {admin ? <AddSchedule onSecret={setSecret} /> : null}
    </section>
  );
}

function AddSchedule({ onSecret }: { onSecret: (s: { name: string; secret: string }) => void }) {
  const create = useCreateSchedule();
  const id = useId();
  const [name, setName] = useState('');
  const [cron, setCron] = useState('0 6 * * 1');
  const [timezone, setTimezone] = useState('UTC');
  const [format, setFormat] = useState<ExportFormat>('pdf');
  const [scope, setScope] = useState<ScopeDraft>(ALL_PARTNERS);
  const [retention, setRetention] = useState('90');
  const [bucket, setBucket] = useState('');
  const [prefix, setPrefix] = useState('');
  const [webhook, setWebhook] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState<ScheduleView | null>(null);
  const zones = TIMEZONES.includes(BROWSER_TZ) ? TIMEZONES : [...TIMEZONES, BROWSER_TZ];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    if (!name.trim()) return setProblem('Name the schedule so the people receiving it know what it is.');
    if (cron.trim().split(/\s+/).length !== 5)
      return setProblem('The schedule needs five cron fields: minute hour day-of-month month weekday.');
    const retentionDays = Number(retention);
    if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 3650)
      return setProblem('Keep exports for a whole number of days, from 1 to 3650.');
    const s = scopeOf(scope);
    if ('problem' in s) return setProblem(s.problem);
    const delivery: ScheduleDeliveryInput = {};
    if (bucket.trim()) {
      if (!BUCKET_RE.test(bucket.trim()))
        return setProblem('S3 bucket: 3-63 lower-case letters, digits, "." and "-" (just the name, no s3://).');
      if (prefix.trim().startsWith('/')) return setProblem('S3 prefix: no leading "/", e.g. payerguard/exports/.');
      delivery.s3 = { bucket: bucket.trim(), ...(prefix.trim() ? { prefix: prefix.trim() } : {}) };
    } else if (prefix.trim()) return setProblem('An S3 prefix needs a bucket.');
    if (webhook.trim()) {
      let ok = false;
      try {
        const u = new URL(webhook.trim());
        ok = u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        ok = false;
      }
      if (!ok) return setProblem('Webhook URL: a full http(s) address, e.g. https://hooks.example.com/payerguard.');
      delivery.webhook = { url: webhook.trim() };
    }
    setProblem(null);
    create.mutate(
      {
        name: name.trim(),
        cron: cron.trim().split(/\s+/).join(' '),
        timezone,
        format,
        scope: s.scope,
        retentionDays,
        ...(delivery.s3 || delivery.webhook ? { delivery } : {}),
      },
      {
        onSuccess: (r) => {
          setSaved(r.schedule);
          if (r.webhookSecret) onSecret({ name: r.schedule.name, secret: r.webhookSecret });
          setName('');
          setBucket('');
          setPrefix('');
          setWebhook('');
        },
      },
    );
  };

  return (
    <>
      <h3 id={`${id}-h`}>Add a schedule</h3>
      <form onSubmit={submit} aria-labelledby={`${id}-h`} noValidate>
        <div className="form-grid">
          <fieldset className="group">
            <legend>When</legend>
            <label className="field">
              <span>Name</span>
              <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Weekly evidence pack" />
            </label>
            <label className="field">
              <span>Cron</span>
              <input
                value={cron}
                onChange={(e) => setCron(e.target.value)}
                aria-describedby={`${id}-cron-help`}
                spellCheck={false}
                autoComplete="off"
              />
            </label>
            <p className="help" id={`${id}-cron-help`}>
              Minute hour day-of-month month weekday, in the time zone below: <code>0 6 * * 1</code> is Mondays 06:00.
            </p>
            <label className="field">
              <span>Time zone</span>
              <select value={timezone} onChange={(e) => setTimezone(e.target.value)}>
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z === BROWSER_TZ && z !== 'UTC' ? `${z} (this browser)` : z}
                  </option>
                ))}
              </select>
            </label>
          </fieldset>
          <fieldset className="group">
            <legend>What</legend>
            <FormatField value={format} onChange={setFormat} />
            <label className="field">
              <span>Keep each export (days)</span>
              <input
                type="number"
                inputMode="numeric"
                min={1}
                max={3650}
                value={retention}
                onChange={(e) => setRetention(e.target.value)}
              />
            </label>
          </fieldset>
          <ScopeFields value={scope} onChange={setScope} />
          <fieldset className="group">
            <legend>Delivery (optional)</legend>
            <p className="help">Every export is kept here to download; it can also be pushed to S3 and a webhook.</p>
            <label className="field">
              <span>S3 bucket</span>
              <input
                value={bucket}
                onChange={(e) => setBucket(e.target.value)}
                placeholder="audit-exports"
                spellCheck={false}
                autoComplete="off"
              />
            </label>
            <label className="field">
              <span>S3 key prefix</span>
              <input
                value={prefix}
                onChange={(e) => setPrefix(e.target.value)}
                placeholder="payerguard/exports/"
                spellCheck={false}
                autoComplete="off"
              />
            </label>
            <label className="field">
              <span>Webhook URL</span>
              <input
                type="url"
                value={webhook}
                onChange={(e) => setWebhook(e.target.value)}
                placeholder="https://hooks.example.com/payerguard"
                spellCheck={false}
                autoComplete="off"
              />
            </label>
          </fieldset>
        </div>
        <div className="actions form-actions">
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {create.isPending ? 'Adding…' : 'Add schedule'}
          </button>
          {saved ? (
            <span className="muted" role="status">
              Added “{saved.name}”.
              {saved.nextRunAt ? ` Next run ${fmtInZone(saved.nextRunAt, saved.timezone ?? 'UTC')}.` : ''}
            </span>
          ) : null}
        </div>
        <InlineError error={problem ?? create.error} />
      </form>
    </>
  );
}
