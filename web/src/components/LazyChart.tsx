import { lazy, memo, Suspense, useEffect, useState } from 'react';
import type { EChartProps } from './EChart.js';
import { Loading } from './States.js';

const EChart = lazy(() => import('./EChart.js'));

/**
 * False until the page has painted what it first rendered. An effect runs after React's commit; a task queued from the
 * next animation frame runs after that frame's paint.
 */
function useAfterFirstPaint(): boolean {
  const [after, setAfter] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setAfter(true), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer) clearTimeout(timer);
    };
  }, []);
  return after;
}

/**
 * A chart that never holds up the page around it. The chart library is the dashboard's largest chunk (about 0.5 MB;
 * 0.1-0.3 s to evaluate and draw on our machines): asked for in the same render as the overview's table, it was
 * evaluated before the table's rows were committed. So it is asked for only once the page has painted, and until it
 * has drawn, a placeholder of the chart's height keeps what is below it from moving.
 */
export const LazyChart = memo(LazyChartNow, sameChart);

/**
 * Charts are redrawn only when what they show changed: their options are built afresh on each render of the page, which
 * re-renders when other parts of it arrive (lockout names, the heatmap, a run's progress).
 */
function sameChart(a: EChartProps, b: EChartProps): boolean {
  return (
    a.label === b.label &&
    a.height === b.height &&
    a.onClick === b.onClick &&
    JSON.stringify(a.option) === JSON.stringify(b.option)
  );
}

function LazyChartNow(props: EChartProps) {
  const after = useAfterFirstPaint();
  const placeholder = (
    <div className="chart-placeholder" style={{ height: props.height ?? 240 }}>
      <Loading what="the chart" />
    </div>
  );
  return after ? (
    <Suspense fallback={placeholder}>
      <EChart {...props} />
    </Suspense>
  ) : (
    placeholder
  );
}
