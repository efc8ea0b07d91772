import type { ReactNode, Ref } from 'react';

/** A labelled box that scrolls its content (a wide table, the heatmap) on its own. */
export function ScrollRegion({
  label,
  className,
  ref,
  children,
}: {
  label: string;
  className: string;
  ref?: Ref<HTMLElement>;
  children: ReactNode;
}) {
  return (
    <section
      className={className}
      ref={ref}
      aria-label={label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scroll box must be reachable from the keyboard (axe scrollable-region-focusable)
      tabIndex={0}
    >
      {children}
    </section>
  );
}

export type ScrollTableColumn = string | { key: string; label: ReactNode; className?: string };

/**
 * A data table in a keyboard-focusable scroll box: `columns` become the `<th scope="col">` header row,
 * `children` are the body rows. `after` goes below the table, inside the scroll box.
 */
export function ScrollTable({
  label,
  columns,
  children,
  className = 'grid compact',
  wrapClassName = 'table-wrap',
  after,
}: {
  label: string;
  columns: readonly ScrollTableColumn[];
  children: ReactNode;
  className?: string;
  wrapClassName?: string;
  after?: ReactNode;
}) {
  return (
    <ScrollRegion className={wrapClassName} label={label}>
      <table className={className}>
        <thead>
          <tr>
            {columns.map((c) =>
              typeof c === 'string' ? (
                <th key={c} scope="col">
                  {c}
                </th>
              ) : (
                <th key={c.key} scope="col" className={c.className}>
                  {c.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
      {after}
    </ScrollRegion>
  );
}
