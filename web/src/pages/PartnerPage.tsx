import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { usePartner, useUnsuppress } from '../api/hooks.js';
import type { FindingView, PartnerDetail, Status, Suppression, User } from '../api/types.js';
import { GradeBadge, LockoutBadge, SeverityBadge, StatusBadge } from '../components/Badges.js';
import { Stat } from '../components/Stat.js';
import { Empty, ErrorState, InlineError, Loading } from '../components/States.js';
import { SuppressForm } from '../components/SuppressForm.js';
import { fmtAgo, fmtDate, fmtDay, fmtMoney, fmtScore } from '../format.js';
import { isStaff } from '../roles.js';
import { href } from '../router.js';

const EChart = lazy(() => import('../components/EChart.js'));

const ORDER: Status[] = ['fail', 'unknown', 'warn', 'suppressed', 'pass'];
const SEV = ['critical', 'high', 'medium', 'low'];
const worst = (ss: Status[]) => ORDER.find((s) => ss.includes(s)) ?? 'pass';

interface ControlGroup {
  controlId: string;
  title: string;
  severity: string;
  status: Status;
  findings: FindingView[];
  remediation?: string | null;
  references?: { title: string; url: string }[];
}

function groupByControl(d: PartnerDetail): ControlGroup[] {
  const groups = new Map<string, ControlGroup>();
  for (const f of d.findings) {
    let g = groups.get(f.controlId);
    if (!g) {
      g = {
        controlId: f.controlId,
        title: f.title,
        severity: f.severity,
        status: 'pass',
        findings: [],
        remediation: f.remediation,
        references: f.references,
      };
      groups.set(f.controlId, g);
    }
    g.findings.push(f);
  }
  for (const g of groups.values()) {
    g.status = worst(g.findings.map((f) => f.status));
    // A control's severity is its worst finding's: a warn can be lower than the control.
    g.severity = SEV.find((sv) => g.findings.some((f) => f.status !== 'pass' && f.severity === sv)) ?? g.severity;
  }
  return [...groups.values()].sort(
    (a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status) || SEV.indexOf(a.severity) - SEV.indexOf(b.severity) || a.controlId.localeCompare(b.controlId),
  );
}

export default function PartnerPage({ id, control, user }: { id: string; control?: string; user: User }) {
  const q = usePartner(id);
  const groups = useMemo(() => (q.data ? groupByControl(q.data) : []), [q.data]);
  const [statusFilter, setStatusFilter] = useState<string>('');

  useEffect(() => {
    if (control && q.data) document.getElementById(`control-${control}`)?.scrollIntoView({ block: 'start' });
  }, [control, q.data]);

  if (q.isPending) return <Loading what="the partner" />;
  if (q.isError) return <ErrorState error={q.error} retry={() => q.refetch()} what="this partner" />;
  const d = q.data;
  const s = d.snapshot;
  const counts = Object.fromEntries(ORDER.map((st) => [st, groups.filter((g) => g.status === st).length]));
  const shown = statusFilter ? groups.filter((g) => g.status === statusFilter) : groups;

  return (
    <>
      {isStaff(user) ? (
        <nav aria-label="Breadcrumb" className="crumbs">
          <a href={href.overview()}>Overview</a> <span aria-hidden="true">›</span> <span>{d.partner.name}</span>
        </nav>
      ) : null}
      <div className="page-head partner-head">
        <GradeBadge grade={s?.grade} large />
        <div>
          <h1>{d.partner.name}</h1>
          <p className="muted">
            Partner <code>{d.partner.id}</code>
            {d.payers?.length ? (
              <>
                {' '}
                · payer {d.payers.map((p) => <code key={p.accountId}>{p.accountId}</code>)}
              </>
            ) : null}
            {s ? <> · collected {fmtAgo(s.takenAt)}</> : null}
          </p>
        </div>
        {s?.lockedOut ? <LockoutBadge /> : null}
      </div>

      {!s ? (
        <Empty title="This partner has not been scored yet.">
          Its first collection run has not finished. {isStaff(user) ? <a href={href.runs()}>Start or follow a run</a> : 'Check back after the next run.'}
        </Empty>
      ) : (
        <section className="stats" aria-label="Score">
          <Stat label="Score" value={fmtScore(s.score)} note="out of 100" />
          <Stat label="Grade" value={s.grade} />
          <Stat label="Failing controls" value={counts.fail ?? 0} tone={(counts.fail ?? 0) > 0 ? 'bad' : 'good'} note={`${counts.unknown ?? 0} unknown, ${counts.warn ?? 0} warn`} />
          {s.monthlySpend !== undefined ? <Stat label="Monthly spend" value={fmtMoney(s.monthlySpend)} /> : null}
        </section>
      )}

      {s?.lockedOut ? (
        <section className="callout callout-bad" role="alert">
          <strong>The distributor is locked out of this payer account.</strong> The collector role could not be assumed, so no
          other control can be verified. Ask the partner to restore the role and its trust policy (see the access control below).
        </section>
      ) : null}

      <div className="two-col">
        <History d={d} />
        <Changes d={d} />
      </div>

      <section className="card" aria-labelledby="controls-h">
        <div className="section-head">
          <h2 id="controls-h">Controls</h2>
          <label className="field field-inline">
            <span>Show</span>
            <select value={statusFilter} onChange={(e) => setStatusFilter(e.target.value)}>
              <option value="">All ({groups.length})</option>
              {ORDER.map((st) => (
                <option key={st} value={st}>
                  {st} ({counts[st] ?? 0})
                </option>
              ))}
            </select>
          </label>
        </div>
        {groups.length === 0 ? (
          <p className="muted">No findings recorded for this partner yet.</p>
        ) : shown.length === 0 ? (
          <p className="muted">No control has that status.</p>
        ) : (
          <ul className="controls">
            {shown.map((g) => (
              <ControlItem key={g.controlId} g={g} d={d} user={user} open={control === g.controlId} />
            ))}
          </ul>
        )}
      </section>

      <EscalationPaths d={d} />
      <RootTimeline d={d} />
      <Principals d={d} />
      <MemberAccounts d={d} />
      <Suppressions d={d} user={user} />
    </>
  );
}

function History({ d }: { d: PartnerDetail }) {
  const h = [...(d.history ?? [])].sort((a, b) => a.takenAt.localeCompare(b.takenAt));
  return (
    <section className="card" aria-labelledby="hist-h">
      <h2 id="hist-h">Score history</h2>
      {h.length < 2 ? (
        <p className="muted">History appears after the second collection run.</p>
      ) : (
        <Suspense fallback={<Loading what="the chart" />}>
          <EChart
            label={`Score over ${h.length} runs: ${h.map((p) => `${fmtDay(p.takenAt)} ${p.score} (${p.grade})`).join(', ')}`}
            height={200}
            option={{
              grid: { left: 36, right: 12, top: 12, bottom: 28 },
              tooltip: { trigger: 'axis' },
              xAxis: { type: 'category', data: h.map((p) => fmtDay(p.takenAt)) },
              yAxis: { type: 'value', min: 0, max: 100 },
              series: [{ type: 'line', data: h.map((p) => p.score), color: '#245b8f', symbolSize: 7 }],
            }}
          />
        </Suspense>
      )}
    </section>
  );
}

interface ChangeEntry {
  key: string;
  controlId?: string;
  text: string;
}

/** The scorer's "changes since the previous snapshot", read loosely: named lists of findings or control ids. */
function changeLists(changes: unknown): { label: string; items: ChangeEntry[] }[] {
  if (!changes || typeof changes !== 'object') return [];
  const toEntry = (x: unknown, i: number): ChangeEntry => {
    if (typeof x === 'string') return { key: `${x}-${i}`, controlId: x, text: '' };
    const o = (x ?? {}) as Record<string, unknown>;
    const controlId = typeof o.controlId === 'string' ? o.controlId : undefined;
    const parts = [o.title, o.resource, o.from !== undefined || o.to !== undefined ? `${String(o.from ?? '—')} → ${String(o.to ?? '—')}` : o.status]
      .filter((v) => typeof v === 'string' && v !== '')
      .map(String);
    return { key: `${controlId ?? ''}-${String(o.resource ?? '')}-${i}`, controlId, text: parts.join(' · ') };
  };
  const entries: [string, unknown][] = Array.isArray(changes) ? [['changed', changes]] : Object.entries(changes as Record<string, unknown>);
  return entries
    .filter((e): e is [string, unknown[]] => Array.isArray(e[1]) && e[1].length > 0)
    .map(([k, v]) => ({ label: k.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase()), items: v.map(toEntry) }));
}

function Changes({ d }: { d: PartnerDetail }) {
  const lists = changeLists(d.changes);
  return (
    <section className="card" aria-labelledby="chg-h">
      <h2 id="chg-h">Changes since the last run</h2>
      {lists.length === 0 ? (
        <p className="muted">{d.history.length > 1 ? 'Nothing changed since the previous run.' : 'Changes appear after the second run.'}</p>
      ) : (
        lists.map((l) => (
          <div key={l.label}>
            <h3>
              {l.label} ({l.items.length})
            </h3>
            <ul className="changes">
              {l.items.slice(0, 30).map((i) => (
                <li key={i.key}>
                  {i.controlId ? (
                    <a href={href.partner(d.partner.id, i.controlId)}>
                      <code>{i.controlId}</code>
                    </a>
                  ) : null}{' '}
                  <span className="wrap">{i.text}</span>
                </li>
              ))}
              {l.items.length > 30 ? <li className="muted">and {l.items.length - 30} more</li> : null}
            </ul>
          </div>
        ))
      )}
    </section>
  );
}

function ControlItem({ g, d, user, open }: { g: ControlGroup; d: PartnerDetail; user: User; open: boolean }) {
  const [suppressing, setSuppressing] = useState(false);
  const unsuppress = useUnsuppress(d.partner.id);
  const failing = g.findings.filter((f) => f.status !== 'pass');
  const resources = [...new Set(failing.map((f) => f.resource).filter(Boolean))];
  const activeSuppressions = (d.suppressions ?? []).filter((s) => s.controlId === g.controlId && !s.revokedAt);

  return (
    <li id={`control-${g.controlId}`} className={`control control-${g.status}`}>
      <details open={open || undefined}>
        <summary>
          <StatusBadge status={g.status} />
          <span className="control-title">
            <code>{g.controlId}</code> {g.title}
          </span>
          <SeverityBadge severity={g.severity} />
        </summary>
        <div className="control-body">
          <ul className="findings">
            {(failing.length ? failing : g.findings).map((f) => (
              <li key={String(f.id)}>
                <div className="finding-head">
                  <StatusBadge status={f.status} />
                  <span>{f.message}</span>
                </div>
                {f.resource ? (
                  <div className="muted wrap">
                    Resource: <code>{f.resource}</code>
                  </div>
                ) : null}
                {f.evidence && Object.keys(f.evidence).length ? (
                  <details className="evidence">
                    <summary>Evidence</summary>
                    <pre>{JSON.stringify(f.evidence, null, 2)}</pre>
                  </details>
                ) : null}
              </li>
            ))}
            {failing.length && g.findings.length > failing.length ? (
              <li className="muted">{g.findings.length - failing.length} other resources pass.</li>
            ) : null}
          </ul>
          {g.remediation && g.status !== 'pass' ? (
            <div className="remediation">
              <h3>How to fix</h3>
              <p>{g.remediation}</p>
            </div>
          ) : null}
          {g.references?.length ? (
            <p className="refs">
              {g.references.map((r) => (
                <a key={r.url} href={r.url} target="_blank" rel="noreferrer">
                  {r.title}
                </a>
              ))}
            </p>
          ) : null}
          {activeSuppressions.map((s) => (
            <div key={s.id} className="suppression-note">
              <StatusBadge status="suppressed" /> {s.resource ? <code>{s.resource}</code> : 'Whole control'}: “{s.reason}”, approved by{' '}
              {s.approver}, expires {fmtDay(s.expiresAt)}.
              {isStaff(user) ? (
                <button type="button" className="button button-quiet" disabled={unsuppress.isPending} onClick={() => unsuppress.mutate(s.id)}>
                  Unsuppress
                </button>
              ) : null}
            </div>
          ))}
          <InlineError error={unsuppress.error} />
          {isStaff(user) && g.status !== 'pass' && g.status !== 'suppressed' ? (
            suppressing ? (
              <SuppressForm partnerId={d.partner.id} controlId={g.controlId} resources={resources} onDone={() => setSuppressing(false)} />
            ) : (
              <button type="button" className="button" onClick={() => setSuppressing(true)}>
                Suppress…
              </button>
            )
          ) : null}
        </div>
      </details>
    </li>
  );
}

/** Steps of an escalation path, if the boundary control recorded them (a list of actions or of step objects). */
function stepsOf(evidence: Record<string, unknown>): string[] {
  const raw = evidence.steps ?? evidence.path ?? evidence.chain;
  if (!Array.isArray(raw)) return [];
  return raw.map((st) => {
    if (typeof st === 'string') return st;
    const o = (st ?? {}) as Record<string, unknown>;
    return [o.action, o.resource ? `on ${String(o.resource)}` : '', o.description ?? o.why ?? o.note ?? '']
      .filter((x) => x !== undefined && x !== '')
      .map(String)
      .join(' ');
  });
}

function EscalationPaths({ d }: { d: PartnerDetail }) {
  const paths = d.escalationPaths;
  return (
    <section className="card" aria-labelledby="esc-h">
      <h2 id="esc-h">Open escalation paths ({paths.length})</h2>
      {paths.length === 0 ? (
        <p className="muted">
          No open way found for a partner admin to escape the permissions boundary
          {d.boundaryCoverage?.uncovered ? ', but some principals carry no boundary at all (see below)' : ''}.
        </p>
      ) : (
        <ul className="paths">
          {paths.map((p, i) => {
            const steps = stepsOf(p.evidence);
            return (
              <li key={`${p.controlId}-${p.resource}-${i}`}>
                <p>
                  <SeverityBadge severity={p.severity} />{' '}
                  <a href={href.partner(d.partner.id, p.controlId)}>
                    <code>{p.controlId}</code>
                  </a>{' '}
                  {p.message}
                </p>
                {p.resource ? (
                  <p className="muted wrap">
                    Principal or resource: <code>{p.resource}</code>
                  </p>
                ) : null}
                {steps.length ? (
                  <ol className="steps">
                    {steps.map((st, n) => (
                      <li key={n}>
                        <code className="wrap">{st}</code>
                      </li>
                    ))}
                  </ol>
                ) : (
                  <details className="evidence">
                    <summary>Evidence</summary>
                    <pre>{JSON.stringify(p.evidence, null, 2)}</pre>
                  </details>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

const ROOT_TASKS_CONTROL = 'ROOT-ACTIVITY-ROOT-ONLY-TASKS';

/** Per root event, what the root-only-tasks control decided: why it was fine, or that it was not. */
function rootVerdicts(findings: FindingView[]): Map<string, { ok: boolean; why: string }> {
  const out = new Map<string, { ok: boolean; why: string }>();
  for (const f of findings) {
    if (f.controlId !== ROOT_TASKS_CONTROL) continue;
    if (f.status === 'fail' && f.resource) out.set(f.resource, { ok: false, why: 'Not a root-only task, outside any approved window' });
    const allowed = f.evidence.allowed;
    if (Array.isArray(allowed))
      for (const a of allowed as { eventId?: string; why?: string }[]) if (a.eventId) out.set(a.eventId, { ok: true, why: a.why ?? 'allowed' });
  }
  return out;
}

function RootTimeline({ d }: { d: PartnerDetail }) {
  const events = [...d.rootEvents].sort((a, b) => b.eventTime.localeCompare(a.eventTime));
  const verdicts = rootVerdicts(d.findings);
  return (
    <section className="card" aria-labelledby="root-h">
      <h2 id="root-h">Root activity ({events.length})</h2>
      {events.length === 0 ? (
        <p className="muted">No root activity in the look-back window.</p>
      ) : (
        <div className="table-wrap" role="region" aria-label="Root activity table" tabIndex={0}>
          <table className="grid compact">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">From</th>
                <th scope="col">MFA</th>
                <th scope="col">Needs root?</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.eventId}>
                  <td data-label="When">{fmtDate(e.eventTime)}</td>
                  <td data-label="What">
                    Root: <code>{e.eventName}</code>
                    {e.outcome || e.errorCode ? <span className="muted"> ({e.errorCode ?? e.outcome})</span> : null}
                    {e.accountId ? <span className="sub">account {e.accountId}</span> : null}
                  </td>
                  <td data-label="From">
                    {e.sourceIPAddress ?? '—'}
                    {e.awsRegion ? <span className="sub">{e.awsRegion}</span> : null}
                  </td>
                  <td data-label="MFA">{e.mfaUsed === undefined ? <StatusBadge status="unknown" /> : e.mfaUsed ? <StatusBadge status="pass" /> : <StatusBadge status="fail" />}</td>
                  <td data-label="Needs root?">
                    {(() => {
                      const v = verdicts.get(e.eventId);
                      if (!v) return <span className="muted">not assessed</span>;
                      return (
                        <>
                          <StatusBadge status={v.ok ? 'pass' : 'fail'} /> <span className="sub">{v.why}</span>
                        </>
                      );
                    })()}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Principals({ d }: { d: PartnerDetail }) {
  const ps = d.principals;
  const cov = d.boundaryCoverage;
  return (
    <section className="card" aria-labelledby="pr-h">
      <h2 id="pr-h">Principals and boundary coverage</h2>
      {ps.length === 0 ? (
        <p className="muted">No IAM users or roles were collected for this payer (see the controls above for why).</p>
      ) : (
        <>
          {cov ? (
            <p>
              <strong>
                {cov.covered} of {cov.partnerPrincipals}
              </strong>{' '}
              partner principals carry the distributor&apos;s permissions boundary
              {cov.share != null ? ` (${Math.round(cov.share * 100)}%)` : ''}; {cov.distributorOwned} belong to the distributor.
            </p>
          ) : null}
          <div className="table-wrap" role="region" aria-label="Principals table" tabIndex={0}>
            <table className="grid compact">
              <thead>
                <tr>
                  <th scope="col">Principal</th>
                  <th scope="col">Type</th>
                  <th scope="col">Policies</th>
                  <th scope="col">Boundary</th>
                </tr>
              </thead>
              <tbody>
                {[...ps]
                  .sort((a, b) => Number(a.distributorOwned) - Number(b.distributorOwned) || Number(a.hasDistributorBoundary) - Number(b.hasDistributorBoundary))
                  .map((p) => (
                    <tr key={p.arn}>
                      <td data-label="Principal">
                        {p.name}
                        <span className="sub wrap">{p.arn}</span>
                      </td>
                      <td data-label="Type">{p.type}</td>
                      <td data-label="Policies" className="wrap">
                        {p.attachedPolicies?.length ? p.attachedPolicies.join(', ') : <span className="muted">none attached</span>}
                      </td>
                      <td data-label="Boundary">
                        {p.distributorOwned ? (
                          <span className="muted">Distributor&apos;s own (exempt)</span>
                        ) : p.hasDistributorBoundary ? (
                          <StatusBadge status="pass" />
                        ) : p.permissionsBoundaryArn ? (
                          <>
                            <StatusBadge status="warn" /> <span className="sub wrap">other boundary: {p.permissionsBoundaryArn}</span>
                          </>
                        ) : (
                          <>
                            <StatusBadge status="fail" /> <span className="sub">no boundary</span>
                          </>
                        )}
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function MemberAccounts({ d }: { d: PartnerDetail }) {
  const ms = d.memberAccounts;
  return (
    <section className="card" aria-labelledby="mem-h">
      <h2 id="mem-h">Member accounts ({ms.length})</h2>
      {ms.length === 0 ? (
        <p className="muted">No member accounts were collected (the organization may be unreadable; see the controls above).</p>
      ) : (
        <div className="table-wrap" role="region" aria-label="Member accounts table" tabIndex={0}>
          <table className="grid compact">
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Email</th>
                <th scope="col">Status</th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody>
              {ms.map((m) => (
                <tr key={m.id}>
                  <td data-label="Account">
                    {m.name}
                    <span className="sub">{m.id}</span>
                  </td>
                  <td data-label="Email" className="wrap">
                    {m.email}
                    {m.isPayer ? <span className="sub">payer account</span> : null}
                    {m.onDistributorDomain === false && !m.isPayer ? <span className="sub">end-customer domain (reported, not failed)</span> : null}
                  </td>
                  <td data-label="Status">{m.status}</td>
                  <td data-label="Joined">
                    {m.joinedMethod ? `${m.joinedMethod.toLowerCase()} ` : ''}
                    {fmtDay(m.joinedTimestamp)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Suppressions({ d, user }: { d: PartnerDetail; user: User }) {
  const all: Suppression[] = d.suppressions;
  if (all.length === 0) return null;
  return (
    <section className="card" aria-labelledby="sup-h">
      <h2 id="sup-h">Suppressions</h2>
      <div className="table-wrap" role="region" aria-label="Suppressions table" tabIndex={0}>
        <table className="grid compact">
          <thead>
            <tr>
              <th scope="col">Control</th>
              <th scope="col">Reason</th>
              <th scope="col">Approver</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {all.map((s) => (
              <tr key={s.id}>
                <td data-label="Control">
                  <code>{s.controlId}</code>
                  {s.resource ? <span className="sub wrap">{s.resource}</span> : null}
                </td>
                <td data-label="Reason">{s.reason}</td>
                <td data-label="Approver">{s.approver}</td>
                <td data-label="Expires">{fmtDay(s.expiresAt)}</td>
                <td data-label="State">
                  {s.revokedAt ? `Revoked ${fmtDay(s.revokedAt)}${isStaff(user) && s.revokedBy ? ` by ${s.revokedBy}` : ''}` : new Date(s.expiresAt) < new Date() ? 'Expired' : 'Active'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
