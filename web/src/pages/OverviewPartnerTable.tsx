import { useQueryClient } from '@tanstack/react-query';
import { elementScroll, type Rect, useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { memo, type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import {
  DEFAULT_OVERVIEW,
  isDefaultOverview,
  OVERVIEW_PAGE,
  type OverviewParams,
  type OverviewRisk,
  type OverviewSort,
  overviewPageQuery,
  useOverviewPage,
  useOverviewPages,
} from '../api/hooks.js';
import type { Overview, OverviewPartner } from '../api/types.js';
import { GradeBadge } from '../components/Badges.js';
import { ScrollRegion } from '../components/ScrollTable.js';
import { ErrorState, Loading } from '../components/States.js';
import { fmtAgo, fmtMoney, fmtScore, fmtInt as n } from '../format.js';
import { href } from '../router.js';

const GRADES = ['A', 'B', 'C', 'D', 'F'];
const ROW_HEIGHT = 49;
/** The scroll box's height at most (`.table-scroll` in styles.css). */
const TABLE_HEIGHT = 560;

/** The scroll box's size as its ResizeObserver reports it (the first report comes with the first layout). */
function observeRectAfterLayout(instance: Virtualizer<HTMLElement, Element>, cb: (rect: Rect) => void) {
  const el = instance.scrollElement;
  if (!el) return;
  const ro = new ResizeObserver(([entry]) => {
    if (entry) cb({ width: Math.round(entry.contentRect.width), height: Math.round(entry.contentRect.height) });
  });
  ro.observe(el);
  return () => ro.disconnect();
}

/**
 * The virtualizer's scroll writes, less the one that changes nothing: on attaching it writes its offset (0) into the box
 * it has just seen created at 0, and a scroll write forces a layout in the middle of the commit (~25 ms here).
 */
function skipScrollToWhereItIs(
  offset: number,
  options: { adjustments?: number; behavior?: ScrollBehavior },
  instance: Virtualizer<HTMLElement, Element>,
) {
  if (offset + (options.adjustments ?? 0) === 0 && instance.scrollOffset === 0 && !options.behavior) return;
  elementScroll(offset, options, instance);
}

/**
 * A row's height from its ResizeObserver entry; on the row's first appearance (no entry yet) the size already known for
 * it or the estimate, and the observer's report, which follows before paint, corrects it (cards at narrow widths).
 */
function measureAfterLayout(
  el: Element,
  entry: ResizeObserverEntry | undefined,
  instance: Virtualizer<HTMLElement, Element>,
) {
  const box = entry?.borderBoxSize?.[0];
  if (box) return Math.round(box.blockSize);
  return instance.itemSizeCache.get(instance.options.getItemKey(instance.indexFromElement(el))) ?? ROW_HEIGHT;
}
const SEARCH_PAUSE_MS = 250;

interface Column {
  id: string;
  header: string;
  /** The server's sort for this column, and the direction of a first click. */
  sort?: { by: OverviewSort; first: 'asc' | 'desc' };
  cell: (p: OverviewPartner, rank: number | null) => ReactNode;
}

const COLUMNS: Column[] = [
  {
    id: 'rank',
    header: 'Rank',
    sort: { by: 'score', first: 'asc' },
    cell: (_p, rank) => rank ?? <span className="muted">–</span>,
  },
  {
    id: 'name',
    header: 'Partner',
    sort: { by: 'name', first: 'asc' },
    cell: (p) => (
      <a href={href.partner(p.id)}>
        {p.name}
        <span className="sub">{p.id}</span>
      </a>
    ),
  },
  { id: 'grade', header: 'Grade', sort: { by: 'grade', first: 'asc' }, cell: (p) => <GradeBadge grade={p.grade} /> },
  { id: 'score', header: 'Score', sort: { by: 'score', first: 'asc' }, cell: (p) => <ScoreCell p={p} /> },
  {
    id: 'critical',
    header: 'Critical failures',
    sort: { by: 'criticalFailures', first: 'desc' },
    cell: (p) => <CriticalCell p={p} />,
  },
  {
    id: 'spend',
    header: 'Monthly spend',
    sort: { by: 'spend', first: 'desc' },
    cell: (p) => <span className="num">{fmtMoney(p.monthlySpend)}</span>,
  },
  {
    id: 'takenAt',
    header: 'Last collected',
    cell: (p) => (p.collected ? fmtAgo(p.lastSnapshotAt) : <span className="muted">not yet</span>),
  },
];

function ScoreCell({ p }: { p: OverviewPartner }) {
  const d = p.scoreDelta;
  return (
    <span className="num">
      {fmtScore(p.score)}
      {d ? (
        <span className={`delta ${d > 0 ? 'delta-up' : 'delta-down'}`}>
          <span aria-hidden="true">{d > 0 ? '▲' : '▼'}</span>
          <span className="sr-only">{d > 0 ? 'up' : 'down'}</span> {Math.abs(d)}
        </span>
      ) : null}
    </span>
  );
}

function CriticalCell({ p }: { p: OverviewPartner }) {
  const critical = p.failingCriticalControls?.length ?? 0;
  if (!p.collected)
    return (
      <span className="badge status-unknown">
        <span aria-hidden="true">?</span> Not collected
      </span>
    );
  if (p.lockedOut)
    return (
      <span className="badge status-fail">
        <span aria-hidden="true">⚠</span> Locked out
      </span>
    );
  return critical > 0 ? (
    <span className="badge status-fail">
      <span aria-hidden="true">✕</span> {critical}
    </span>
  ) : (
    <span className="badge status-pass">
      <span aria-hidden="true">✓</span> None
    </span>
  );
}

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/**
 * The ranked partner table over the whole estate, a page at a time: the server sorts, filters and searches; only the
 * pages of rows in view (and the first) are fetched, and only a screenful of rows is in the DOM. Rank is the place in
 * the worst-first order, shown while the table is in that order unfiltered. Memoized: the overview re-renders as its
 * other parts arrive (lockout names, the heatmap), and the table's one prop rarely changes with them.
 */
export const OverviewPartnerTable = memo(PartnerTable);

function PartnerTable({ estatePartners }: { estatePartners: number }) {
  const [params, setParams] = useState<OverviewParams>(DEFAULT_OVERVIEW);
  const [searchText, setSearchText] = useState('');
  // One request when typing pauses, not one per key.
  const search = useDebounced(searchText, SEARCH_PAUSE_MS);
  const query = useMemo(() => ({ ...params, search }), [params, search]);
  const ranked = isDefaultOverview(query);

  const scroller = useRef<HTMLElement>(null);
  // The first page says how many rows there are; while a new order or filter loads, the old rows stay (marked busy).
  const first = useOverviewPage(query, 0, { keepPrevious: true });
  const matched = first.data?.total ?? null;
  const busy = first.isPlaceholderData || first.isFetching;
  const virtualizer = useVirtualizer({
    count: matched ?? 0,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Sizes come from ResizeObservers (they report after layout, before paint), never read in the middle of React's
    // commit: each such read forced a layout of the whole page while the rows were going in (~40 ms of the overview's
    // first render on our machines). The box's CSS height stands in until the observer reports.
    initialRect: { width: 0, height: TABLE_HEIGHT },
    observeElementRect: observeRectAfterLayout,
    measureElement: measureAfterLayout,
    scrollToFn: skipScrollToWhereItIs,
  });
  const items = virtualizer.getVirtualItems();
  const inView = useMemo(() => {
    const set = new Set<number>();
    for (const it of items) set.add(Math.floor(it.index / OVERVIEW_PAGE));
    set.delete(0);
    return [...set].sort((a, b) => a - b);
  }, [items]);
  // Pages are asked for where the scroll comes to rest, not for every page flown past on the way there; pages already
  // fetched show at once from the cache.
  const settled = useRef<number[]>([]);
  if (!virtualizer.isScrolling) settled.current = inView;
  const pages = useOverviewPages(query, settled.current);
  const qc = useQueryClient();
  const byPage = new Map<number, OverviewPartner[] | undefined>();
  for (const p of inView) byPage.set(p, qc.getQueryData<Overview>(overviewPageQuery(query, p).queryKey)?.partners);
  settled.current.forEach((p, i) => {
    byPage.set(p, pages[i]?.data?.partners ?? byPage.get(p));
  });
  byPage.set(0, first.data?.partners);
  const rowAt = (i: number) => byPage.get(Math.floor(i / OVERVIEW_PAGE))?.[i % OVERVIEW_PAGE];

  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;
  const set = (change: Partial<OverviewParams>) => {
    setParams((p) => ({ ...p, ...change }));
    scroller.current?.scrollTo({ top: 0 });
  };
  const clickSort = (c: Column) => {
    if (!c.sort) return;
    if (c.id === 'rank') return set({ sort: 'score', order: 'asc' });
    const same = params.sort === c.sort.by;
    set({ sort: c.sort.by, order: same ? (params.order === 'asc' ? 'desc' : 'asc') : c.sort.first });
  };
  const sortedBy = (c: Column): 'ascending' | 'descending' | undefined => {
    if (!c.sort) return undefined;
    if (c.id === 'rank') return params.sort === 'score' && params.order === 'asc' ? 'ascending' : undefined;
    if (c.id === 'score' && params.sort === 'score' && params.order === 'asc') return undefined; // shown on Rank
    return params.sort === c.sort.by ? (params.order === 'asc' ? 'ascending' : 'descending') : undefined;
  };

  if (first.isError) return <ErrorState error={first.error} retry={() => first.refetch()} what="the partners" />;
  const filtered = !!(query.search.trim() || params.grade || params.risk);
  return (
    <div className="ptable">
      <div className="toolbar">
        <label className="field">
          <span>Search partners</span>
          <input
            type="search"
            placeholder="Name, id or payer account"
            value={searchText}
            maxLength={200}
            onChange={(e) => {
              setSearchText(e.target.value);
              scroller.current?.scrollTo({ top: 0 });
            }}
          />
        </label>
        <label className="field">
          <span>Grade</span>
          <select value={params.grade} onChange={(e) => set({ grade: e.target.value })}>
            <option value="">All grades</option>
            {GRADES.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Status</span>
          <select value={params.risk} onChange={(e) => set({ risk: e.target.value as OverviewRisk })}>
            <option value="">All partners</option>
            <option value="yes">Critical failure or locked out</option>
            <option value="no">No critical failure</option>
            <option value="unknown">Not yet collected</option>
          </select>
        </label>
        <p className="muted count" aria-live="polite">
          {matched === null || first.isPlaceholderData
            ? 'Loading partners…'
            : filtered
              ? `${n(matched)} of ${n(estatePartners)} partners`
              : `${n(matched)} partners`}
        </p>
      </div>
      <ScrollRegion className="table-scroll" ref={scroller} label="Partners, ranked worst first">
        {matched === null ? (
          <Loading what="the partners" />
        ) : (
          <table className="grid" aria-busy={busy}>
            <thead>
              <tr>
                {COLUMNS.map((c) => {
                  const sorted = sortedBy(c);
                  return (
                    <th key={c.id} scope="col" className={`col-${c.id}`} aria-sort={sorted}>
                      {c.sort ? (
                        <button type="button" className="sort" onClick={() => clickSort(c)}>
                          {c.header}
                          <span aria-hidden="true" className="sort-icon">
                            {sorted === 'ascending' ? '▲' : sorted === 'descending' ? '▼' : '↕'}
                          </span>
                        </button>
                      ) : (
                        c.header
                      )}
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {padTop > 0 ? (
                <tr className="spacer" style={{ height: padTop }}>
                  <td colSpan={COLUMNS.length} />
                </tr>
              ) : null}
              {items.map((item) => {
                const p = rowAt(item.index);
                if (!p)
                  return (
                    <tr key={`loading-${item.index}`} className="loading-row" style={{ height: ROW_HEIGHT }}>
                      <td colSpan={COLUMNS.length} className="muted">
                        Loading…
                      </td>
                    </tr>
                  );
                const rank = ranked ? item.index + 1 : null;
                return (
                  <tr
                    key={p.id}
                    data-index={item.index}
                    ref={virtualizer.measureElement}
                    style={{ height: ROW_HEIGHT }}
                  >
                    {COLUMNS.map((c) => (
                      <td key={c.id} className={`col-${c.id}`} data-label={c.header}>
                        {c.cell(p, rank)}
                      </td>
                    ))}
                  </tr>
                );
              })}
              {padBottom > 0 ? (
                <tr className="spacer" style={{ height: padBottom }}>
                  <td colSpan={COLUMNS.length} />
                </tr>
              ) : null}
            </tbody>
          </table>
        )}
        {matched === 0 ? (
          <p className="state">
            No partner matches.{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setSearchText('');
                set({ grade: '', risk: '' });
              }}
            >
              Clear the search and filters
            </button>
          </p>
        ) : null}
      </ScrollRegion>
    </div>
  );
}
