import { DEFAULT_OVERVIEW, useIsRunUnderway, useMatrix, useMe, useOverviewPage } from '../api/hooks.js';
import { GRADES, type Grade } from '../api/types.js';
import { LockoutBadge } from '../components/Badges.js';
import { Heatmap } from '../components/Heatmap.js';
import { LazyChart } from '../components/LazyChart.js';
import { PendingRootRequests } from '../components/RootAccess.js';
import { RunUnderway } from '../components/RunUnderway.js';
import { Stat } from '../components/Stat.js';
import { Empty, ErrorState, InlineError, Loading } from '../components/States.js';
import { fmtDate, fmtDay, fmtInt, fmtMoneyShort, fmtPct, fmtScore } from '../format.js';
import { isAdmin } from '../roles.js';
import { href } from '../router.js';
import { OverviewPartnerTable } from './OverviewPartnerTable.js';

const GRADE_COLOURS: Record<Grade, string> = {
  A: '#2e7d4f',
  B: '#5f9e3a',
  C: '#b28a00',
  D: '#c86a1c',
  F: '#a12b2b',
};
// The heatmap reads the worst-scored partners; beyond a few hundred the "fails most" counts are a sample.
const MATRIX_ROWS = 1000;

const LOCKOUT_NAMES = 12;
const LOCKED_OUT = { ...DEFAULT_OVERVIEW, lockout: true };

export default function OverviewPage() {
  // The first page of the ranked table (the same request the table makes): totals and trend come with it.
  const q = useOverviewPage(DEFAULT_OVERVIEW, 0);
  // The heatmap sits below the table and reads 1,000 partners: asked for once the first page is here (and says some
  // partner is scored), so the request the first screen needs has the server to itself.
  const matrix = useMatrix(MATRIX_ROWS, (q.data?.totals.collected ?? 0) > 0);
  const lockouts = q.data?.totals.lockouts ?? 0;
  const locked = useOverviewPage(LOCKED_OUT, 0, { limit: LOCKOUT_NAMES, enabled: lockouts > 0 });
  // Shares its query with the banner below: the empty states say whether a run is already working on it.
  const underway = useIsRunUnderway(q.isSuccess);
  const me = useMe().data?.user;

  if (q.isPending)
    return (
      <>
        <h1>Overview</h1>
        <Loading what="the overview" />
      </>
    );
  if (q.isError)
    return (
      <>
        <h1>Overview</h1>
        <ErrorState error={q.error} retry={() => q.refetch()} what="the overview" />
      </>
    );
  const o = q.data;
  if (o.totals.partners === 0)
    return (
      <>
        <h1>Overview</h1>
        <Empty title="No partners yet.">
          {isAdmin(me) ? (
            <>
              Onboard a partner under <a href={href.admin('partners')}>Settings &amp; partners</a>, then start a
              collection run on the <a href={href.runs()}>Runs</a> page.
            </>
          ) : (
            'Partners appear here as soon as a distributor admin onboards them.'
          )}
        </Empty>
      </>
    );

  const h = o.totals;
  const grades = h.byGrade;
  // The callout shows with the totals (they count locked-out partners), so nothing moves when the names arrive.
  const lockedOut = lockouts > 0 ? (locked.data?.partners ?? []) : [];
  const lockedOutCount = lockouts;
  const trend = o.estateTrend;
  const lastRun = trend[trend.length - 1];
  const scored = h.collected > 0;
  // What a reader with nothing scored yet should do: wait for the run that is working, or start one.
  const nextStep = underway ? (
    <>The collection run under way fills this in when it finishes.</>
  ) : (
    <>
      Start a collection run from the <a href={href.runs()}>Runs</a> page.
    </>
  );

  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
        {lastRun ? (
          <p className="muted">
            Last scored {fmtDate(lastRun.at)} · <a href={href.runs(lastRun.runId)}>run details</a>
          </p>
        ) : null}
      </div>

      <RunUnderway enabled={q.isSuccess} />

      <section className="stats" aria-label="Headline figures">
        <Stat
          label="Partners"
          value={fmtInt(h.partners)}
          note={h.notCollected ? `${fmtInt(h.notCollected)} not yet scored` : 'all scored'}
        />
        <Stat
          label="Compliant"
          value={fmtPct(h.compliantShare)}
          note="reachable, no critical failure"
          tone={h.compliantShare != null && h.compliantShare >= 0.9 ? 'good' : undefined}
        />
        <Stat label="Average score" value={fmtScore(h.averageScore)} note="out of 100" />
        {/* Before anything is scored, $0 and 0 would read as "nothing wrong": say "not known yet" instead. */}
        {h.spendAtRisk !== undefined ? (
          <Stat
            label="Spend at risk"
            value={scored ? fmtMoneyShort(h.spendAtRisk) : '—'}
            note={
              scored
                ? `monthly, of ${fmtMoneyShort(h.totalMonthlySpend)} in payers failing a critical control`
                : 'known after the first collection'
            }
            tone={h.spendAtRisk > 0 ? 'bad' : scored ? 'good' : undefined}
          />
        ) : null}
        <Stat
          label="Lockouts"
          value={scored ? h.lockouts : '—'}
          note={scored ? 'partners whose payer the collector role cannot reach' : 'known after the first collection'}
          tone={h.lockouts > 0 ? 'bad' : scored ? 'good' : undefined}
        />
      </section>

      <PendingRootRequests />

      {lockedOutCount > 0 ? (
        <section className="callout callout-bad" aria-labelledby="lock-h">
          <h2 id="lock-h">
            <LockoutBadge /> {lockedOutCount} partner{lockedOutCount === 1 ? '' : 's'} locked out
          </h2>
          <p>
            The distributor cannot assume its role in these payer accounts. Fix access first: nothing else about them
            can be verified.
          </p>
          {locked.isPending ? (
            <p className="muted">Loading their names…</p>
          ) : locked.isError ? (
            <InlineError error={locked.error} />
          ) : (
            <ul className="inline-list">
              {lockedOut.map((p) => (
                <li key={p.id}>
                  <a href={href.partner(p.id)}>{p.name}</a>
                </li>
              ))}
              {lockedOutCount > lockedOut.length ? (
                <li className="muted">and {lockedOutCount - lockedOut.length} more (filter the table below)</li>
              ) : null}
            </ul>
          )}
        </section>
      ) : null}

      <div className="two-col">
        <section className="card" aria-labelledby="grades-h">
          <h2 id="grades-h">Grade distribution</h2>
          {!scored ? (
            <p className="muted">No partner has been scored yet. {nextStep}</p>
          ) : (
            <>
              <LazyChart
                label={`Partners by grade: ${GRADES.map((g) => `${g} ${grades[g] ?? 0}`).join(', ')}`}
                height={220}
                option={{
                  grid: { left: 36, right: 12, top: 12, bottom: 28 },
                  tooltip: { trigger: 'axis' },
                  xAxis: { type: 'category', data: [...GRADES] },
                  yAxis: { type: 'value', minInterval: 1 },
                  series: [
                    {
                      type: 'bar',
                      data: GRADES.map((g) => ({ value: grades[g] ?? 0, itemStyle: { color: GRADE_COLOURS[g] } })),
                      label: { show: true, position: 'top' },
                    },
                  ],
                }}
              />
              <p className="legend">
                {GRADES.map((g) => (
                  <span key={g}>
                    <strong>{g}</strong> {grades[g] ?? 0}
                  </span>
                ))}
              </p>
            </>
          )}
        </section>
        <section className="card" aria-labelledby="trend-h">
          <h2 id="trend-h">Estate score trend</h2>
          {trend.length < 2 ? (
            <p className="muted">
              The trend appears after two collection runs
              {trend.length === 1 ? ' (one so far)' : ''}.{' '}
              {underway ? (
                'The run under way will add a point.'
              ) : (
                <>
                  Start one from the <a href={href.runs()}>Runs</a> page.
                </>
              )}
            </p>
          ) : (
            <LazyChart
              label={`Average score over the last ${trend.length} runs, from ${fmtScore(trend[0]?.averageScore)} to ${fmtScore(trend[trend.length - 1]?.averageScore)}`}
              height={220}
              option={{
                // Room above the plot for the axis names ("score", "lockouts"), which sit over each axis.
                grid: { left: 40, right: 48, top: 32, bottom: 28 },
                tooltip: { trigger: 'axis' },
                xAxis: { type: 'category', data: trend.map((t) => fmtDay(t.at)) },
                yAxis: [
                  { type: 'value', min: 0, max: 100, name: 'score' },
                  { type: 'value', minInterval: 1, name: 'lockouts', splitLine: { show: false } },
                ],
                series: [
                  { name: 'Average score', type: 'line', data: trend.map((t) => t.averageScore), color: '#245b8f' },
                  {
                    name: 'Lockouts',
                    type: 'bar',
                    yAxisIndex: 1,
                    data: trend.map((t) => t.lockouts),
                    color: '#c4452f',
                    barMaxWidth: 14,
                  },
                ],
              }}
            />
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="ranked-h">
        <h2 id="ranked-h">Partners, worst first</h2>
        <OverviewPartnerTable estatePartners={h.partners} />
      </section>

      <section className="card" aria-labelledby="heat-h">
        <h2 id="heat-h">Which controls fail most</h2>
        <p className="muted">
          Columns are controls, most failed first; rows are the worst-scored partners. Select a mark to open that
          finding.
        </p>
        {!scored ? (
          <p className="muted">No partner has been scored yet. {nextStep}</p>
        ) : matrix.isPending ? (
          <Loading what="the heatmap" />
        ) : matrix.isError ? (
          <ErrorState error={matrix.error} retry={() => matrix.refetch()} what="the heatmap" />
        ) : (
          <Heatmap matrix={matrix.data} />
        )}
      </section>
    </>
  );
}
