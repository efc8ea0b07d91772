import {
  type ColumnFiltersState,
  columnFilteringFeature,
  createColumnHelper,
  createFilteredRowModel,
  createSortedRowModel,
  filterFn_equalsString,
  filterFn_includesString,
  globalFilteringFeature,
  rowSortingFeature,
  type SortingState,
  sortFn_alphanumeric,
  sortFn_basic,
  tableFeatures,
  useTable,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import type { OverviewPartner } from '../api/types.js';
import { fmtAgo, fmtMoney, fmtScore } from '../format.js';
import { href } from '../router.js';
import { GradeBadge } from './Badges.js';
import { ScrollRegion } from './ScrollTable.js';

export interface PartnerRow extends OverviewPartner {
  rank: number;
  critical: number;
  atRisk: 'yes' | 'no' | 'unknown';
}

/** Ranks worst first: lockouts, then critical failures, then score, so the top of the list is what to act on. */
export function rankPartners(partners: OverviewPartner[]): PartnerRow[] {
  const rows = partners.map((p) => {
    const critical = p.failingCriticalControls?.length ?? 0;
    // Never collected is not "no problem": it is unknown until the first run reaches the payer.
    const atRisk: PartnerRow['atRisk'] = !p.collected ? 'unknown' : p.lockedOut || critical > 0 ? 'yes' : 'no';
    return { ...p, critical, rank: 0, atRisk };
  });
  rows.sort(
    (a, b) =>
      Number(b.lockedOut) - Number(a.lockedOut) ||
      b.critical - a.critical ||
      (a.score ?? -1) - (b.score ?? -1) ||
      a.name.localeCompare(b.name),
  );
  rows.forEach((r, i) => {
    r.rank = i + 1;
  });
  return rows;
}

const features = tableFeatures({
  rowSortingFeature,
  columnFilteringFeature,
  globalFilteringFeature,
  filteredRowModel: createFilteredRowModel(),
  sortedRowModel: createSortedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric, basic: sortFn_basic },
  filterFns: { includesString: filterFn_includesString, equalsString: filterFn_equalsString },
});

const col = createColumnHelper<typeof features, PartnerRow>();
const columns = col.columns([
  col.accessor('rank', {
    header: 'Rank',
    sortFn: 'basic',
    sortDescFirst: false,
    enableGlobalFilter: false,
    cell: (c) => c.getValue(),
  }),
  col.accessor('name', {
    header: 'Partner',
    sortFn: 'alphanumeric',
    cell: (c) => (
      <a href={href.partner(c.row.original.id)}>
        {c.getValue()}
        <span className="sub">{c.row.original.id}</span>
      </a>
    ),
  }),
  col.accessor('id', { header: 'Id', enableGlobalFilter: true }),
  col.accessor((r) => r.grade ?? '', {
    id: 'grade',
    header: 'Grade',
    sortFn: 'alphanumeric',
    filterFn: 'equalsString',
    enableGlobalFilter: false,
    cell: (c) => <GradeBadge grade={c.row.original.grade} />,
  }),
  col.accessor((r) => r.score ?? -1, {
    id: 'score',
    header: 'Score',
    sortFn: 'basic',
    sortDescFirst: false,
    enableGlobalFilter: false,
    cell: (c) => <ScoreCell p={c.row.original} />,
  }),
  col.accessor('critical', {
    header: 'Critical failures',
    sortFn: 'basic',
    enableGlobalFilter: false,
    cell: (c) =>
      !c.row.original.collected ? (
        <span className="badge status-unknown">
          <span aria-hidden="true">?</span> Not collected
        </span>
      ) : c.row.original.lockedOut ? (
        <span className="badge status-fail">
          <span aria-hidden="true">⚠</span> Locked out
        </span>
      ) : c.getValue() > 0 ? (
        <span className="badge status-fail">
          <span aria-hidden="true">✕</span> {c.getValue()}
        </span>
      ) : (
        <span className="badge status-pass">
          <span aria-hidden="true">✓</span> None
        </span>
      ),
  }),
  col.accessor('atRisk', { header: 'At risk', filterFn: 'equalsString', enableGlobalFilter: false }),
  col.accessor((r) => r.monthlySpend ?? -1, {
    id: 'spend',
    header: 'Monthly spend',
    sortFn: 'basic',
    enableGlobalFilter: false,
    cell: (c) => <span className="num">{fmtMoney(c.row.original.monthlySpend)}</span>,
  }),
  col.accessor((r) => r.lastSnapshotAt ?? '', {
    id: 'takenAt',
    header: 'Last collected',
    sortFn: 'alphanumeric',
    enableGlobalFilter: false,
    cell: (c) =>
      c.row.original.collected ? fmtAgo(c.row.original.lastSnapshotAt) : <span className="muted">not yet</span>,
  }),
  col.accessor((r) => (r.payerAccountIds ?? []).join(' '), { id: 'payers', header: 'Payers' }),
]);

function ScoreCell({ p }: { p: PartnerRow }) {
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

// Shown columns, in order; 'id', 'payers' and 'atRisk' exist only to be searched and filtered.
const SHOWN = ['rank', 'name', 'grade', 'score', 'critical', 'spend', 'takenAt'];
const ROW_HEIGHT = 49;
const n = (x: number) => x.toLocaleString('en-US');

export function PartnerTable({ partners }: { partners: PartnerRow[] }) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const [columnFilters, setColumnFilters] = useState<ColumnFiltersState>([]);
  const [globalFilter, setGlobalFilter] = useState('');

  const table = useTable({
    features,
    columns,
    data: partners,
    state: { sorting, columnFilters, globalFilter },
    onSortingChange: setSorting,
    onColumnFiltersChange: setColumnFilters,
    onGlobalFilterChange: setGlobalFilter,
    globalFilterFn: 'includesString',
    getRowId: (r) => r.id,
  });

  const rows = table.getRowModel().rows;
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (i) => rows[i]?.id ?? i,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;

  const gradeFilter = (columnFilters.find((f) => f.id === 'grade')?.value as string) ?? '';
  const riskFilter = (columnFilters.find((f) => f.id === 'atRisk')?.value as string) ?? '';
  const setFilter = (id: string, value: string) =>
    setColumnFilters((prev) => [...prev.filter((f) => f.id !== id), ...(value ? [{ id, value }] : [])]);

  const grades = useMemo(
    () => [...new Set(partners.map((p) => p.grade).filter(Boolean) as string[])].sort(),
    [partners],
  );
  const headers = table.getHeaderGroups()[0]?.headers.filter((h) => SHOWN.includes(h.column.id)) ?? [];

  return (
    <div className="ptable">
      <div className="toolbar">
        <label className="field">
          <span>Search partners</span>
          <input
            type="search"
            placeholder="Name, id or payer account"
            value={globalFilter}
            onChange={(e) => setGlobalFilter(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Grade</span>
          <select value={gradeFilter} onChange={(e) => setFilter('grade', e.target.value)}>
            <option value="">All grades</option>
            {grades.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Status</span>
          <select value={riskFilter} onChange={(e) => setFilter('atRisk', e.target.value)}>
            <option value="">All partners</option>
            <option value="yes">Critical failure or locked out</option>
            <option value="no">No critical failure</option>
            <option value="unknown">Not yet collected</option>
          </select>
        </label>
        <p className="muted count" aria-live="polite">
          {rows.length === partners.length
            ? `${n(partners.length)} partners`
            : `${n(rows.length)} of ${n(partners.length)} partners`}
        </p>
      </div>
      <ScrollRegion className="table-scroll" ref={scroller} label="Partners, ranked worst first">
        <table className="grid">
          <thead>
            <tr>
              {headers.map((h) => {
                const sorted = h.column.getIsSorted();
                return (
                  <th
                    key={h.id}
                    scope="col"
                    className={`col-${h.column.id}`}
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                  >
                    <button type="button" className="sort" onClick={h.column.getToggleSortingHandler()}>
                      <table.FlexRender header={h} />
                      <span aria-hidden="true" className="sort-icon">
                        {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {padTop > 0 ? (
              <tr className="spacer" style={{ height: padTop }}>
                <td colSpan={SHOWN.length} />
              </tr>
            ) : null}
            {items.map((item) => {
              const row = rows[item.index];
              if (!row) return null;
              return (
                <tr
                  key={row.id}
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  style={{ height: ROW_HEIGHT }}
                >
                  {row
                    .getAllCells()
                    .filter((c) => SHOWN.includes(c.column.id))
                    .map((cell) => (
                      <td
                        key={cell.id}
                        className={`col-${cell.column.id}`}
                        data-label={String(cell.column.columnDef.header ?? '')}
                      >
                        <table.FlexRender cell={cell} />
                      </td>
                    ))}
                </tr>
              );
            })}
            {padBottom > 0 ? (
              <tr className="spacer" style={{ height: padBottom }}>
                <td colSpan={SHOWN.length} />
              </tr>
            ) : null}
          </tbody>
        </table>
        {rows.length === 0 ? (
          <p className="state">
            No partner matches.{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setGlobalFilter('');
                setColumnFilters([]);
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
