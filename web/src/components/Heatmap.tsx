import { memo } from 'react';
import type { Matrix, Status } from '../api/types.js';
import { href } from '../router.js';
import { ScrollRegion } from './ScrollTable.js';

const CELL: Record<Status, { icon: string; word: string }> = {
  fail: { icon: '✕', word: 'fails' },
  warn: { icon: '!', word: 'warns' },
  unknown: { icon: '?', word: 'unknown' },
  suppressed: { icon: '⊘', word: 'suppressed' },
  pass: { icon: '', word: 'passes' },
};

export interface ControlFailCount {
  id: string;
  title: string;
  failing: number;
}

/** Failing partners per control among the matrix rows, most failed first. */
export function failCounts(m: Matrix): ControlFailCount[] {
  return m.controls
    .map((c) => ({ id: c.id, title: c.title, failing: m.rows.filter((r) => r.cells[c.id] === 'fail').length }))
    .sort((a, b) => b.failing - a.failing || a.id.localeCompare(b.id));
}

/**
 * Partners x controls: which controls fail most (columns ordered by failing partners) and for whom (the worst-scored
 * partners as rows). A real table, so every cell reads as text and an icon, never colour alone. Memoized: it is the
 * largest table on the overview (20 x 20 cells) and its matrix keeps its identity while unchanged.
 */
export const Heatmap = memo(HeatmapTable);

function HeatmapTable({ matrix, rows = 20 }: { matrix: Matrix; rows?: number }) {
  const counts = failCounts(matrix);
  const cols = counts.filter(
    (c) => c.failing > 0 || matrix.rows.some((r) => r.cells[c.id] && r.cells[c.id] !== 'pass'),
  );
  if (cols.length === 0) return <p className="muted">No control fails for any partner.</p>;
  const shownRows = matrix.rows.filter((r) => Object.values(r.cells).some((s) => s !== 'pass')).slice(0, rows);
  const n = matrix.rows.length;

  return (
    <ScrollRegion className="heatmap-wrap" label="Failing controls by partner">
      <table className="heatmap">
        <caption className="sr-only">
          Controls across partners. The first row counts failing partners per control; each further row is one partner.
        </caption>
        <thead>
          <tr>
            <th scope="col" className="hm-corner">
              Partner
            </th>
            {cols.map((c) => (
              <th key={c.id} scope="col" className="hm-col">
                <span className="hm-col-label" title={c.title}>
                  {c.id}
                </span>
              </th>
            ))}
          </tr>
          <tr className="hm-total">
            <th scope="row">Failing partners</th>
            {cols.map((c) => (
              <td key={c.id} title={`${c.title}: ${c.failing} of ${n} partners fail`}>
                <span className="hm-count" style={{ ['--share' as string]: String(c.failing / Math.max(1, n)) }}>
                  {c.failing}
                </span>
              </td>
            ))}
          </tr>
        </thead>
        <tbody>
          {shownRows.map((r) => (
            <tr key={r.partnerId}>
              <th scope="row">
                <a href={href.partner(r.partnerId)}>{r.name}</a>
              </th>
              {cols.map((c) => {
                const st = r.cells[c.id];
                if (!st)
                  return (
                    <td key={c.id} className="hm-none">
                      <span className="sr-only">not evaluated</span>
                    </td>
                  );
                const cell = CELL[st] ?? CELL.unknown;
                return (
                  <td key={c.id} className={`hm-${st}`} title={`${r.name}: ${c.id} ${cell.word}`}>
                    {st === 'pass' ? null : (
                      <a href={href.partner(r.partnerId, c.id)} className="hm-link">
                        <span aria-hidden="true">{cell.icon}</span>
                        <span className="sr-only">
                          {c.id} {cell.word}
                        </span>
                      </a>
                    )}
                    {st === 'pass' ? <span className="sr-only">passes</span> : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
