"use client";

import { useEffect, useRef } from "react";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export type ChartOptions = (U: typeof uPlot) => Omit<uPlot.Options, "width" | "height">;

/**
 * One uPlot chart that follows its container's width. uPlot itself is loaded on first use, so
 * only /admin ever downloads it; new data is drawn into the same canvas (no re-creation per second).
 */
export function UPlotChart({
  options,
  data,
  height = 220,
  label,
}: {
  /** Built once uPlot is loaded, so they may use its path builders (bars). */
  options: ChartOptions;
  data: uPlot.AlignedData;
  height?: number;
  /** What the chart shows, for people who cannot see it (a table of the same numbers follows it). */
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef(data);

  useEffect(() => {
    latest.current = data;
    chart.current?.setData(data);
  }, [data]);

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | null = null;
    void import("uplot").then(({ default: UPlot }) => {
      const el = box.current;
      if (disposed || !el) return;
      chart.current = new UPlot({ ...options(UPlot), width: el.clientWidth, height }, latest.current, el);
      observer = new ResizeObserver(() => chart.current?.setSize({ width: el.clientWidth, height }));
      observer.observe(el);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
    // The options are fixed per chart; data flows in through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [height]);

  return <div ref={box} role="img" aria-label={label} className="w-full overflow-hidden" />;
}
