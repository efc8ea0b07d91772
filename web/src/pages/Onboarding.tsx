import { useState } from 'react';
import { useCheckAccess, usePartner, useRunUntilDone, useStartRun } from '../api/hooks.js';
import type { AccessCheckResult, DeployStep, OnboardingInfo } from '../api/types.js';
import { GradeBadge, SeverityBadge, StatusBadge } from '../components/Badges.js';
import { InlineError, Loading } from '../components/States.js';
import { href } from '../router.js';

/**
 * The onboarding flow for one partner: deploy the kit's collector role with this payer's ExternalId (the commands
 * come filled in from the API), check that the distributor can assume it, collect once, see the first findings.
 */

function download(name: string, value: unknown) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className="button button-quiet"
      onClick={() =>
        navigator.clipboard?.writeText(text).then(
          () => {
            setDone(true);
            setTimeout(() => setDone(false), 2000);
          },
          () => setDone(false),
        )
      }
    >
      {done ? 'Copied' : 'Copy'}
      <span className="sr-only"> {label}</span>
    </button>
  );
}

function Command({ title, text, testId }: { title: string; text: string; testId: string }) {
  return (
    <div className="command">
      <div className="command-head">
        <span>{title}</span>
        <CopyButton text={text} label={title} />
      </div>
      <pre data-testid={testId}>{text}</pre>
    </div>
  );
}

function StepCommands({ step, payer }: { step: DeployStep; payer: string }) {
  return (
    <>
      <p className="muted">
        {step.purpose} Template: <code>deploy/{step.template}</code>.
      </p>
      <Command
        title="In the payer account (the partner runs it)"
        text={step.createStack}
        testId={`create-stack-${step.template}-${payer}`}
      />
      {step.stackSetInstance ? (
        <Command
          title="Or from the hub account, as a StackSet instance"
          text={step.stackSetInstance}
          testId={`stack-set-${step.template}-${payer}`}
        />
      ) : null}
      {step.warnings.map((w) => (
        <p key={w} className="warn-text">
          {w}
        </p>
      ))}
    </>
  );
}

export function AccessResults({ results }: { results: AccessCheckResult[] }) {
  return (
    <ul className="access-results" aria-live="polite">
      {results.map((r) => (
        <li key={r.payerAccountId}>
          <StatusBadge status={r.ok ? 'pass' : 'fail'} /> Payer <code>{r.payerAccountId}</code>:{' '}
          {r.ok ? (
            <>
              access works{r.latencyMs != null ? ` (${r.latencyMs} ms)` : ''}.{' '}
              <span className="sub wrap">{r.assumedRoleArn}</span>
            </>
          ) : (
            <>
              <strong>{r.errorCode}</strong> {r.message}{' '}
              <span className="sub">Check that the role exists with this trust policy and ExternalId.</span>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

function FirstFindings({ partnerId }: { partnerId: string }) {
  const detail = usePartner(partnerId);
  if (detail.isPending) return <Loading what="first findings" />;
  if (detail.isError) return <InlineError error={detail.error} />;
  const d = detail.data;
  const count = (status: string) => d.findings.filter((f) => f.status === status).length;
  const failing = d.findings
    .filter((f) => f.status === 'fail' || f.status === 'unknown' || f.status === 'warn')
    .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
  return (
    <section className="first-findings" aria-labelledby={`ff-${partnerId}`}>
      <h4 id={`ff-${partnerId}`}>First findings</h4>
      {d.snapshot ? (
        <p>
          <GradeBadge grade={d.snapshot.grade} /> Score <strong>{d.snapshot.score}</strong> ·{' '}
          <span data-testid="first-findings-counts">
            {count('pass')} pass, {count('fail')} fail, {count('warn')} warn, {count('unknown')} unknown
          </span>
        </p>
      ) : (
        <p className="muted">No snapshot yet.</p>
      )}
      {failing.length ? (
        <ul className="first-findings-list">
          {failing.slice(0, 5).map((f) => (
            <li key={String(f.id)}>
              <StatusBadge status={f.status} /> <SeverityBadge severity={f.severity} /> {f.title}{' '}
              <span className="sub">{f.message}</span>
            </li>
          ))}
        </ul>
      ) : d.snapshot ? (
        <p>Every control passes.</p>
      ) : null}
      <a className="button" href={href.partner(partnerId)}>
        Open the drill-down
      </a>
    </section>
  );
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'];

function FirstCollection({ partnerId }: { partnerId: string }) {
  const start = useStartRun();
  const runId = start.data?.runId ?? null;
  const run = useRunUntilDone(runId);
  const status = run.data?.run.status;
  const done = status === 'completed' || status === 'failed';
  return (
    <div className="onboarding-step">
      <h3>3. Collect and see the first findings</h3>
      <button
        type="button"
        className="button button-primary"
        onClick={() => start.mutate(partnerId)}
        disabled={start.isPending || (!!runId && !done)}
      >
        {runId && !done ? 'Collecting…' : runId ? 'Collect again' : 'Collect now'}
      </button>
      <InlineError error={start.error ?? run.error} />
      {run.data ? (
        <p aria-live="polite" className="muted">
          Run <a href={href.runs(run.data.run.id)}>{run.data.run.id}</a>: {status}, {run.data.run.collected} of{' '}
          {run.data.run.total} payers collected
          {run.data.run.failed ? `, ${run.data.run.failed} failed` : ''}.
        </p>
      ) : null}
      {done ? <FirstFindings key={runId} partnerId={partnerId} /> : null}
    </div>
  );
}

export function OnboardingCard({ partnerId, info }: { partnerId: string; info: OnboardingInfo[] }) {
  const check = useCheckAccess();
  return (
    <div className="onboarding">
      <div className="onboarding-step">
        <h3>1. Deploy the collector role in each payer</h3>
        {info.map((o) => (
          <div key={o.payerAccountId} className="onboarding-payer">
            <h4>
              Payer <code>{o.payerAccountId}</code>
            </h4>
            <dl className="kv">
              <dt>Collector role</dt>
              <dd>
                <code className="wrap">{o.roleArn}</code>
              </dd>
              <dt>ExternalId</dt>
              <dd>
                <code className="wrap" data-testid={`external-id-${o.payerAccountId}`}>
                  {o.externalId}
                </code>
              </dd>
            </dl>
            {o.deploy ? <StepCommands step={o.deploy.collectorRole} payer={o.payerAccountId} /> : null}
            {o.simulatorDeploy ? (
              <Command
                title="Demo (AWS simulator): what the stack would do"
                text={`curl -X POST ${o.simulatorDeploy.url} -H 'content-type: application/json' -d '${JSON.stringify(o.simulatorDeploy.body)}'`}
                testId={`sim-deploy-${o.payerAccountId}`}
              />
            ) : null}
            {o.deploy ? (
              <details className="evidence">
                <summary>Permissions boundary for partner administrators</summary>
                <StepCommands step={o.deploy.permissionsBoundary} payer={o.payerAccountId} />
              </details>
            ) : null}
            {o.cloudFormationTemplate ? (
              <button
                type="button"
                className="button button-quiet"
                onClick={() => download(`payerguard-collector-${o.payerAccountId}.json`, o.cloudFormationTemplate)}
              >
                Download the template with this ExternalId (JSON)
              </button>
            ) : null}
          </div>
        ))}
      </div>
      <div className="onboarding-step">
        <h3>2. Check access</h3>
        <button
          type="button"
          className="button button-primary"
          onClick={() => check.mutate(partnerId)}
          disabled={check.isPending}
        >
          {check.isPending ? 'Checking…' : 'Check access'}
        </button>
        <InlineError error={check.error} />
        {check.data ? <AccessResults results={check.data.results} /> : null}
      </div>
      <FirstCollection partnerId={partnerId} />
    </div>
  );
}
