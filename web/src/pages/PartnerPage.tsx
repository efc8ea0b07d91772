import { useEffect, useMemo, useState } from 'react';
import { useApproveSuppression, useCheckAccess, usePartner, useUnsuppress } from '../api/hooks.js';
import type {
  EscalationPath,
  FindingChange,
  FindingView,
  PartnerDetail,
  Status,
  Suppression,
  User,
} from '../api/types.js';
import { GradeBadge, LockoutBadge, SeverityBadge, StatusBadge } from '../components/Badges.js';
import { LazyChart } from '../components/LazyChart.js';
import { RootAccessSection } from '../components/RootAccess.js';
import { ScrollTable } from '../components/ScrollTable.js';
import { Stat } from '../components/Stat.js';
import { Empty, ErrorState, InlineError, Loading } from '../components/States.js';
import { SuppressForm } from '../components/SuppressForm.js';
import { fmtAgo, fmtDate, fmtDay, fmtMoney, fmtScore } from '../format.js';
import { isAdmin, isStaff } from '../roles.js';
import { href } from '../router.js';

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
    (a, b) =>
      ORDER.indexOf(a.status) - ORDER.indexOf(b.status) ||
      SEV.indexOf(a.severity) - SEV.indexOf(b.severity) ||
      a.controlId.localeCompare(b.controlId),
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
                · payer{' '}
                {d.payers.map((p) => (
                  <code key={p.accountId}>{p.accountId}</code>
                ))}
              </>
            ) : null}
            {s ? <> · collected {fmtAgo(s.takenAt)}</> : null}
          </p>
        </div>
        {s?.lockedOut ? <LockoutBadge /> : null}
      </div>

      {!s ? (
        <Empty title="This partner has not been scored yet.">
          Its first collection run has not finished.{' '}
          {isStaff(user) ? <a href={href.runs()}>Start or follow a run</a> : 'Check back after the next run.'}
        </Empty>
      ) : (
        <section className="stats" aria-label="Score">
          <Stat label="Score" value={fmtScore(s.score)} note="out of 100" />
          <Stat label="Grade" value={s.grade} />
          <Stat
            label="Failing controls"
            value={counts.fail ?? 0}
            tone={(counts.fail ?? 0) > 0 ? 'bad' : 'good'}
            note={`${counts.unknown ?? 0} unknown, ${counts.warn ?? 0} warn`}
          />
          {s.monthlySpend !== undefined ? <Stat label="Monthly spend" value={fmtMoney(s.monthlySpend)} /> : null}
        </section>
      )}

      {d.detailsWithNextRun ? (
        <section className="callout" role="status">
          Member accounts, principals, escalation paths and root events of this partner arrive with its next collection
          run: its latest run was scored before they were stored.
        </section>
      ) : null}

      {s?.lockedOut ? (
        <section className="callout callout-bad" role="alert">
          <strong>The distributor is locked out of this payer account.</strong> The collector role could not be assumed,
          so no other control can be verified. Ask the partner to restore the role and its trust policy (see the access
          control below).
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

      <Payers d={d} user={user} />
      <EscalationPaths d={d} />
      <RootTimeline d={d} />
      <RootAccessSection
        partnerId={d.partner.id}
        payers={d.payers.map((p) => p.accountId)}
        trail={d.rootAccess}
        user={user}
      />
      <Principals d={d} />
      <MemberAccounts d={d} />
      <Suppressions d={d} user={user} />
    </>
  );
}

function Payers({ d, user }: { d: PartnerDetail; user: User }) {
  const check = useCheckAccess();
  return (
    <section className="card" aria-labelledby="payers-h">
      <div className="section-head">
        <h2 id="payers-h">Payer accounts and collection</h2>
        {isAdmin(user) && d.payers.length ? (
          <button
            type="button"
            className="button"
            onClick={() => check.mutate(d.partner.id)}
            disabled={check.isPending}
          >
            {check.isPending ? 'Checking…' : 'Check access now'}
          </button>
        ) : null}
      </div>
      <InlineError error={check.error} />
      {d.payers.length === 0 ? (
        <p className="muted">No payer account is registered for this partner.</p>
      ) : (
        <ul className="payers">
          {d.payers.map((p) => {
            const result = check.data?.results.find((r) => r.payerAccountId === p.accountId);
            const notOk = Object.entries(p.evidence?.calls ?? {}).filter(([, c]) => c.status !== 'ok');
            return (
              <li key={p.accountId}>
                <p>
                  Payer <code>{p.accountId}</code> · collector role <code className="wrap">{p.roleArn}</code>
                </p>
                <p className="muted">
                  Last successful access {fmtAgo(p.lastAccessOkAt)}
                  {p.evidence?.managementEmail ? (
                    <>
                      {' '}
                      · root email <span className="wrap">{p.evidence.managementEmail}</span>{' '}
                      {p.evidence.managementEmailOnDistributorDomain
                        ? '(distributor domain)'
                        : '(not a distributor domain)'}
                    </>
                  ) : null}
                </p>
                {p.lastAccessError ? (
                  <p>
                    <StatusBadge status="fail" label="Access failed" />{' '}
                    <span className="wrap">{p.lastAccessError}</span>
                  </p>
                ) : null}
                {result ? (
                  <p role="status">
                    <StatusBadge
                      status={result.ok ? 'pass' : 'fail'}
                      label={result.ok ? 'Access works' : 'No access'}
                    />{' '}
                    {result.ok
                      ? `assumed in ${result.latencyMs ?? '?'} ms`
                      : `${result.errorCode ?? ''} ${result.message ?? ''}`}
                  </p>
                ) : null}
                {notOk.length ? (
                  <details>
                    <summary>
                      {notOk.length} evidence call{notOk.length === 1 ? '' : 's'} could not be made (controls reading
                      them are unknown)
                    </summary>
                    <ul>
                      {notOk.map(([k, c]) => (
                        <li key={k}>
                          <code>{k}</code>: {c.status}
                          {c.errorCode ? ` (${c.errorCode})` : ''}{' '}
                          {c.message ? <span className="muted wrap">{c.message}</span> : null}
                        </li>
                      ))}
                    </ul>
                  </details>
                ) : p.evidence ? (
                  <p className="muted">
                    Every evidence call succeeded at the last collection ({fmtDate(p.evidence.collectedAt)}).
                  </p>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
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
        <LazyChart
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
      )}
    </section>
  );
}

function ChangeList({
  d,
  label,
  items,
  count,
}: {
  d: PartnerDetail;
  label: string;
  items: FindingChange[];
  count: number;
}) {
  if (count === 0) return null;
  return (
    <div>
      <h3>
        {label} ({count})
      </h3>
      <ul className="changes">
        {items.slice(0, 30).map((c) => (
          <li key={`${c.controlId}-${c.payerAccountId}-${c.resource}-${c.status}`}>
            <StatusBadge status={c.nowStatus && c.nowStatus !== 'absent' ? c.nowStatus : c.status} />{' '}
            <a href={href.partner(d.partner.id, c.controlId)}>
              <code>{c.controlId}</code>
            </a>{' '}
            <span className="wrap">{c.message}</span>
          </li>
        ))}
        {count > 30 ? <li className="muted">and {count - 30} more</li> : null}
      </ul>
    </div>
  );
}

function Changes({ d }: { d: PartnerDetail }) {
  const c = d.changes;
  return (
    <section className="card" aria-labelledby="chg-h">
      <h2 id="chg-h">Changes since the last run</h2>
      {!c || c.baseline ? (
        <p className="muted">This is the partner&apos;s first scored run: changes appear after the next one.</p>
      ) : (
        <>
          <p>
            Score {c.previousScore ?? '—'} ({c.previousGrade ?? '—'}) → {d.snapshot?.score ?? '—'} (
            {d.snapshot?.grade ?? '—'})
            {c.scoreDelta ? (
              <span className={`delta ${c.scoreDelta > 0 ? 'delta-up' : 'delta-down'}`}>
                {' '}
                {c.scoreDelta > 0 ? `+${c.scoreDelta}` : c.scoreDelta}
              </span>
            ) : null}
          </p>
          {c.newCount + c.resolvedCount === 0 ? <p className="muted">No finding appeared or went away.</p> : null}
          <ChangeList d={d} label="New problems" items={c.new} count={c.newCount} />
          <ChangeList d={d} label="Resolved" items={c.resolved} count={c.resolvedCount} />
        </>
      )}
    </section>
  );
}

function ControlItem({ g, d, user, open }: { g: ControlGroup; d: PartnerDetail; user: User; open: boolean }) {
  const [suppressing, setSuppressing] = useState(false);
  const unsuppress = useUnsuppress(d.partner.id);
  const approve = useApproveSuppression(d.partner.id);
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
              <StatusBadge status="suppressed" /> {s.resource ? <code>{s.resource}</code> : 'Whole control'}: “
              {s.reason}”,{' '}
              {s.status === 'pending'
                ? `requested by ${s.createdBy ?? s.approver}${s.createdAt ? ` on ${fmtDay(s.createdAt)}` : ''}, awaiting a second admin's approval (not applied yet)`
                : `approved by ${s.approver}${s.secondApprover ? ` and ${s.secondApprover}` : ''}`}
              , expires {fmtDay(s.expiresAt)}.
              {isAdmin(user) && s.status === 'pending' && s.createdBy !== user.email ? (
                <button
                  type="button"
                  className="button"
                  disabled={approve.isPending}
                  onClick={() => approve.mutate(s.id)}
                >
                  Approve
                </button>
              ) : null}
              {isAdmin(user) ? (
                <button
                  type="button"
                  className="button button-quiet"
                  disabled={unsuppress.isPending}
                  onClick={() => unsuppress.mutate(s.id)}
                >
                  Unsuppress
                </button>
              ) : null}
            </div>
          ))}
          <InlineError error={approve.error} />
          <InlineError error={unsuppress.error} />
          {isAdmin(user) && g.status !== 'pass' && g.status !== 'suppressed' ? (
            suppressing ? (
              <SuppressForm
                partnerId={d.partner.id}
                controlId={g.controlId}
                resources={resources}
                onDone={() => setSuppressing(false)}
              />
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

/**
 * The stored finding of `controlId` when it is unknown: then an empty list below it means "could not be looked at", not
 * "none" (a locked-out payer shows no paths and no root activity because nothing could be read).
 */
const unknownBy = (d: PartnerDetail, controlId: string) =>
  d.findings.find((f) => f.controlId === controlId && f.status === 'unknown');

function NotKnown({ f }: { f: FindingView }) {
  return (
    <p className="muted">
      Not known: <code>{f.controlId}</code> is unknown for payer <code>{f.payerAccountId}</code> ({f.message}). See that
      control above for what to fix.
    </p>
  );
}

function EscalationPaths({ d }: { d: PartnerDetail }) {
  const paths = d.escalationPaths;
  const byPrincipal = new Map<string, EscalationPath[]>();
  for (const p of paths) byPrincipal.set(p.principalArn, [...(byPrincipal.get(p.principalArn) ?? []), p]);
  const notKnown = paths.length === 0 ? unknownBy(d, 'BOUNDARY-EFFECTIVENESS') : undefined;
  return (
    <section className="card" aria-labelledby="esc-h">
      <h2 id="esc-h">Open escalation paths{notKnown ? '' : ` (${paths.length})`}</h2>
      {notKnown ? (
        <NotKnown f={notKnown} />
      ) : paths.length === 0 ? (
        <p className="muted">
          No open way found for a partner admin to escape the permissions boundary
          {d.boundaryCoverage?.uncovered ? ', but some principals carry no boundary at all (see below)' : ''}.
        </p>
      ) : (
        <ul className="paths">
          {[...byPrincipal].map(([arn, ps], i) => (
            <li key={arn}>
              <details open={i === 0 || undefined}>
                <summary>
                  <strong>{ps[0]?.principalName}</strong>: {ps.length} open path{ps.length === 1 ? '' : 's'}
                  {ps[0]?.hasDistributorBoundary ? ' despite the distributor boundary' : ', no distributor boundary'}
                  <span className="sub wrap">{arn}</span>
                </summary>
                <ol className="steps">
                  {ps.map((p) => (
                    // The same method can open on one action and resource under several request contexts.
                    <li key={`${p.methodId}-${p.action}-${p.resource}-${p.requestContext ?? ''}-${p.explanation}`}>
                      <strong>{p.title}</strong>
                      {p.requestContext ? <span className="muted"> ({p.requestContext})</span> : null}
                      <ol>
                        {(p.steps.length ? p.steps : [{ action: p.action, resource: p.resource }]).map((st) => (
                          <li key={`${st.action}-${st.resource}`}>
                            <code>{st.action}</code> on <code className="wrap">{st.resource}</code>
                          </li>
                        ))}
                      </ol>
                      <div className="muted">{p.explanation}</div>
                      {p.decidingStatements.length ? (
                        <div className="sub wrap">Allowed by: {p.decidingStatements.join('; ')}</div>
                      ) : null}
                    </li>
                  ))}
                </ol>
              </details>
            </li>
          ))}
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
    if (f.status === 'fail' && f.resource)
      out.set(f.resource, { ok: false, why: 'Not a root-only task, outside any approved window' });
    const allowed = f.evidence.allowed;
    if (Array.isArray(allowed))
      for (const a of allowed as { eventId?: string; why?: string }[])
        if (a.eventId) out.set(a.eventId, { ok: true, why: a.why ?? 'allowed' });
  }
  return out;
}

function RootTimeline({ d }: { d: PartnerDetail }) {
  const events = [...d.rootEvents].sort((a, b) => b.eventTime.localeCompare(a.eventTime));
  const verdicts = rootVerdicts(d.findings);
  const notKnown = events.length === 0 ? unknownBy(d, ROOT_TASKS_CONTROL) : undefined;
  return (
    <section className="card" aria-labelledby="root-h">
      <h2 id="root-h">Root activity{notKnown ? '' : ` (${events.length})`}</h2>
      {notKnown ? (
        <NotKnown f={notKnown} />
      ) : events.length === 0 ? (
        <p className="muted">No root activity in the look-back window.</p>
      ) : (
        <ScrollTable label="Root activity table" columns={['When', 'What', 'From', 'MFA', 'Needs root?']}>
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
              <td data-label="MFA">
                {e.mfaUsed === undefined ? (
                  <StatusBadge status="unknown" label="Not reported" />
                ) : e.mfaUsed ? (
                  <StatusBadge status="pass" label="MFA" />
                ) : (
                  <StatusBadge status="fail" label="No MFA" />
                )}
              </td>
              <td data-label="Needs root?">
                {(() => {
                  const v = verdicts.get(e.eventId);
                  if (!v) return <span className="muted">not assessed</span>;
                  return (
                    <>
                      <StatusBadge status={v.ok ? 'pass' : 'fail'} label={v.ok ? 'Expected' : 'Unexpected'} />{' '}
                      <span className="sub">{v.why}</span>
                    </>
                  );
                })()}
              </td>
            </tr>
          ))}
        </ScrollTable>
      )}
    </section>
  );
}

function Principals({ d }: { d: PartnerDetail }) {
  const ps = d.principals;
  const cov = d.boundaryCoverage;
  const multiPayer = d.payers.length > 1;
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
              {cov.share != null ? ` (${Math.round(cov.share * 100)}%)` : ''}; {cov.distributorOwned} belong to the
              distributor.
            </p>
          ) : null}
          <ScrollTable
            label="Principals table"
            columns={['Principal', 'Type', 'Policies', 'Administers IAM', 'Boundary']}
          >
            {[...ps]
              .sort(
                (a, b) =>
                  Number(a.distributorOwned) - Number(b.distributorOwned) ||
                  Number(a.hasDistributorBoundary) - Number(b.hasDistributorBoundary),
              )
              .map((p) => (
                <tr key={p.arn}>
                  <td data-label="Principal">
                    {p.name}
                    <span className="sub wrap">{p.arn}</span>
                    {multiPayer ? <span className="sub">payer {p.payerAccountId}</span> : null}
                  </td>
                  <td data-label="Type">{p.type}</td>
                  <td data-label="Policies" className="wrap">
                    {p.attachedPolicies?.length ? (
                      p.attachedPolicies.join(', ')
                    ) : (
                      <span className="muted">none attached</span>
                    )}
                  </td>
                  <td data-label="Administers IAM">
                    {p.canAdministerIam == null ? '—' : p.canAdministerIam ? 'Yes' : 'No'}
                    {p.openPaths ? (
                      <span className="sub">
                        {p.openPaths} open escalation path{p.openPaths === 1 ? '' : 's'}
                      </span>
                    ) : null}
                  </td>
                  <td data-label="Boundary">
                    {p.distributorOwned ? (
                      <span className="muted">Distributor&apos;s own (exempt)</span>
                    ) : p.hasDistributorBoundary ? (
                      <StatusBadge
                        status={p.openPaths ? 'warn' : 'pass'}
                        label={p.openPaths ? 'Boundary, but escapable' : 'Boundary'}
                      />
                    ) : p.permissionsBoundaryArn ? (
                      <>
                        <StatusBadge status="warn" label="Other boundary" />{' '}
                        <span className="sub wrap">{p.permissionsBoundaryArn}</span>
                      </>
                    ) : (
                      <StatusBadge status={p.canAdministerIam === false ? 'warn' : 'fail'} label="No boundary" />
                    )}
                  </td>
                </tr>
              ))}
          </ScrollTable>
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
        <p className="muted">
          No member accounts were collected (the organization may be unreadable; see the controls above).
        </p>
      ) : (
        <ScrollTable label="Member accounts table" columns={['Account', 'Email', 'Status', 'Joined']}>
          {ms.map((m) => (
            <tr key={m.id}>
              <td data-label="Account">
                {m.name}
                <span className="sub">{m.id}</span>
                {d.payers.length > 1 ? <span className="sub">organization of payer {m.payerAccountId}</span> : null}
              </td>
              <td data-label="Email" className="wrap">
                {m.email}
                {m.isPayer ? <span className="sub">payer account</span> : null}
                {m.onDistributorDomain === false && !m.isPayer ? (
                  <span className="sub">end-customer domain (reported, not failed)</span>
                ) : null}
              </td>
              <td data-label="Status">{m.status}</td>
              <td data-label="Joined">
                {m.joinedMethod ? `${m.joinedMethod.toLowerCase()} ` : ''}
                {fmtDay(m.joinedTimestamp)}
              </td>
            </tr>
          ))}
        </ScrollTable>
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
      <ScrollTable
        label="Suppressions table"
        columns={['Control', 'Reason', 'Requested', 'Approved by', 'Expires', 'State']}
      >
        {all.map((s) => (
          <tr key={s.id}>
            <td data-label="Control">
              <code>{s.controlId}</code>
              {s.resource ? <span className="sub wrap">{s.resource}</span> : null}
            </td>
            <td data-label="Reason">{s.reason}</td>
            <td data-label="Requested">
              {s.createdBy ?? '—'}
              {s.createdAt ? <span className="sub">{fmtDay(s.createdAt)}</span> : null}
            </td>
            <td data-label="Approved by">
              {s.status === 'pending' ? '—' : s.approver}
              {s.secondApprover ? <span className="sub">and {s.secondApprover}</span> : null}
            </td>
            <td data-label="Expires">{fmtDay(s.expiresAt)}</td>
            <td data-label="State">
              {s.revokedAt
                ? `Revoked ${fmtDay(s.revokedAt)}${isStaff(user) && s.revokedBy ? ` by ${s.revokedBy}` : ''}`
                : new Date(s.expiresAt) < new Date()
                  ? 'Expired'
                  : s.status === 'pending'
                    ? 'Pending second approval'
                    : 'Active'}
            </td>
          </tr>
        ))}
      </ScrollTable>
    </section>
  );
}
