/**
 * A time chart on uPlot (canvas): the page hands it the buckets the gateway aggregated (a few
 * hundred points at most), so it draws in a frame however many messages they count. The plot is
 * made once per set of series and given new data on each poll; it follows its box's width.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  /** One value per x; null where there is nothing to show. */
  values: ReadonlyArray<number | null>;
  dash?: number[];
  /** Dots on each value: a sparse series (latencies observed in a few buckets) has no line to draw between gaps. */
  dots?: boolean;
}

export function TimeChart({ title, unit, x, series, testId }: { title: string; unit: string; x: readonly number[]; series: readonly ChartSeries[]; testId: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const shape = series.map((entry) => `${entry.label}|${entry.color}`).join(',');

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height: 200,
      scales: { x: { time: true } },
      axes: [{}, { label: unit, size: 56 }],
      series: [{}, ...series.map((entry) => ({ label: entry.label, stroke: entry.color, width: 1.5, spanGaps: false, ...(entry.dash ? { dash: entry.dash } : {}), ...(entry.dots ? { points: { show: true, size: 5 } } : {}) }))],
      legend: { live: true },
    };
    const made = new uPlot(options, [[], ...series.map(() => [])], element);
    plot.current = made;
    const resize = new ResizeObserver(() => made.setSize({ width: Math.max(element.clientWidth, 200), height: 200 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      made.destroy();
      plot.current = undefined;
    };
    // Remade only when the set of series changes (its shape); data arrives below.
  }, [shape, unit]);

  useEffect(() => {
    plot.current?.setData([x.map((at) => at / 1000), ...series.map((entry) => [...entry.values])] as uPlot.AlignedData);
  }, [x, series]);

  return (
    <figure className="chart card" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div ref={box} className="chart-plot" />
    </figure>
  );
}
