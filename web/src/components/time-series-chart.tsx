import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * A line chart over time (uPlot, about 20 kB gzipped). Import it with `React.lazy` so pages that
 * do not draw a chart never load it. The canvas is described by `label` (role="img"); give the
 * same figures as text or a table beside it for screen readers.
 */
export interface ChartSeries {
  label: string;
  /** One value per x; null where there is no data (a gap). */
  values: Array<number | null>;
  color: string;
  dash?: boolean;
}

export interface TimeSeriesChartProps {
  label: string;
  /** Unix times in seconds, ascending. */
  x: number[];
  series: ChartSeries[];
  /** The time window shown, in Unix seconds (else the data's own span: a single point would get years of axis). */
  xRange?: [number, number];
  /** Formats a y value on the axis and in the legend. */
  unit?: (v: number) => string;
  height?: number;
}

export default function TimeSeriesChart({ label, x, series, xRange, unit = (v) => String(v), height = 220 }: TimeSeriesChartProps) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const options: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height,
      scales: { x: xRange ? { time: true, range: () => xRange } : { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
      axes: [{}, { values: (_u, ticks) => ticks.map(unit), size: 80 }],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          dash: s.dash ? [6, 4] : undefined,
          points: { show: true, size: 6 },
          value: (_u: uPlot, v: number | null) => (v == null ? '—' : unit(v)),
        })),
      ],
      legend: { live: false },
    };
    const chart = new uPlot(options, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(el.clientWidth, 200), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [x, series, xRange, unit, height]);
  return <div ref={host} role="img" aria-label={label} data-testid="time-series-chart" data-points={x.length} style={{ width: '100%', minWidth: 0 }} />;
}
