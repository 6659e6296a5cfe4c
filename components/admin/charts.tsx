"use client";

import { useMemo } from "react";
import type uPlot from "uplot";
import { RELEASE_PATHS, type LagHistogram, type MinuteSeries } from "@/lib/admin/dashboard-types";
import { UPlotChart, type ChartOptions } from "./uplot-chart";

// Told apart by people with any colour vision (the Okabe-Ito palette, darkened for contrast on white).
export const COLORS = {
  created: "#0072b2",
  released: "#c85a00",
  converted: "#009e73",
  event: "#0072b2",
  sweep: "#c85a00",
  lag: "#0f766e",
  heartbeat: "#be123c",
} as const;

const axis = { stroke: "#57534e", grid: { stroke: "#e7e5e4" }, ticks: { stroke: "#d6d3d1" } };
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const clockSeconds = (unixS: number) => new Date(unixS * 1000).toLocaleTimeString("en-GB");
const clock = (unixS: number) =>
  new Date(unixS * 1000).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

/** Holds created, released by path and converted, per minute over the last hour. */
export function HoldsPerMinute({ series }: { series: MinuteSeries }) {
  const releasedPerMinute = series.minutes.map((_, i) => sum(RELEASE_PATHS.map((p) => series.released[p][i] ?? 0)));
  // One bar chart per outcome, each its own colour, on the same minutes: three spiky lines on one
  // plot could not be told apart (the split of releases by path is in the caption and the table).
  const charts = [
    { key: "created", title: "Holds started", values: series.created, color: COLORS.created },
    {
      key: "released",
      title: "Holds released (their units back to stock or the line)",
      values: releasedPerMinute,
      color: COLORS.released,
    },
    { key: "converted", title: "Holds checked out", values: series.converted, color: COLORS.converted },
  ] as const;
  const released = RELEASE_PATHS.map((p) => `${p} ${sum(series.released[p])}`).join(", ");
  const busy = series.minutes
    .map((t, i) => ({
      t,
      created: series.created[i] ?? 0,
      released: RELEASE_PATHS.map((p) => series.released[p][i] ?? 0),
      converted: series.converted[i] ?? 0,
    }))
    .filter((m) => m.created + sum(m.released) + m.converted > 0)
    .slice(-10);
  return (
    <figure className="space-y-2">
      {charts.map((c) => (
        <div key={c.key} className="min-w-0">
          <p className="flex items-center gap-1.5 text-sm font-medium text-stone-700">
            <span aria-hidden="true" className="inline-block h-3 w-3 rounded-sm" style={{ background: c.color }} />
            {c.title}
          </p>
          <MinuteBars minutes={series.minutes} values={c.values} color={c.color} title={c.title} />
        </div>
      ))}
      <figcaption data-testid="holds-summary" className="text-sm text-stone-700">
        Last hour: {sum(series.created)} created · {RELEASE_PATHS.reduce((n, p) => n + sum(series.released[p]), 0)}{" "}
        released ({released}) · {sum(series.converted)} converted
      </figcaption>
      <details className="text-sm">
        <summary className="cursor-pointer text-stone-700">The busiest recent minutes as a table</summary>
        <table className="mt-2 w-full text-left tabular-nums">
          <thead>
            <tr className="text-stone-600">
              <th scope="col">Minute (UTC)</th>
              <th scope="col">Created</th>
              {RELEASE_PATHS.map((p) => (
                <th scope="col" key={p}>
                  {p}
                </th>
              ))}
              <th scope="col">Converted</th>
            </tr>
          </thead>
          <tbody>
            {busy.map((m) => (
              <tr key={m.t}>
                <td>{clock(m.t)}</td>
                <td>{m.created}</td>
                {m.released.map((n, i) => (
                  <td key={RELEASE_PATHS[i]}>{n}</td>
                ))}
                <td>{m.converted}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** One series per minute over the last hour, as bars, its y axis in holds a minute. */
function MinuteBars({
  minutes,
  values,
  color,
  title,
}: {
  minutes: number[];
  values: number[];
  color: string;
  title: string;
}) {
  const options = useMemo<ChartOptions>(
    () => (U) => ({
      scales: {
        x: { time: true },
        y: { range: (_u: uPlot, _min: number, max: number) => [0, Math.max(5, Math.ceil(max))] },
      },
      axes: [
        { ...axis, values: (_u: uPlot, splits: number[]) => splits.map((t) => `${clock(t)}`) },
        { ...axis, size: 48, label: "holds / min", labelSize: 16, labelFont: "12px system-ui" },
      ],
      legend: { show: false },
      series: [
        {},
        {
          label: title,
          fill: color,
          stroke: color,
          points: { show: false },
          paths: U.paths.bars!({ size: [0.8, 12] }),
        },
      ],
    }),
    [color, title],
  );
  return (
    <UPlotChart
      options={options}
      data={[minutes, values]}
      height={110}
      label={`${title} per minute, last hour (UTC)`}
    />
  );
}

/** A bucket by its upper bound, short enough for a phone's axis: "<0.1s", "<0.25s", … "≥10s". */
const bucketLabel = (bounds: readonly number[], i: number) =>
  i >= bounds.length ? `≥${(bounds.at(-1) ?? 0) / 1_000}s` : `<${(bounds[i] ?? 0) / 1_000}s`;

/** Release lag (deadline → stock restored) over the last hour, as a histogram with p50 and p99. */
export function ReleaseLag({ lag }: { lag: LagHistogram }) {
  const labels = lag.counts.map((_, i) => bucketLabel(lag.boundsMs, i));
  const labelKey = labels.join("|");
  const options = useMemo<ChartOptions>(
    () => (U) => ({
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] } },
      axes: [
        {
          ...axis,
          splits: () => labels.map((_, i) => i),
          values: (_u: uPlot, splits: number[]) => splits.map((i) => labels[i] ?? ""),
        },
        { ...axis, size: 48, label: "releases", labelSize: 16, labelFont: "12px system-ui" },
      ],
      legend: { show: false },
      series: [
        {},
        {
          label: "releases",
          fill: COLORS.lag,
          stroke: COLORS.lag,
          points: { show: false },
          paths: U.paths.bars!({ size: [0.7, 80] }),
        },
      ],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [labelKey],
  );
  const data: uPlot.AlignedData = [lag.counts.map((_, i) => i), lag.counts];
  const ms = (v: number | null) => (v === null ? "—" : `${v.toLocaleString("en")} ms`);
  return (
    <figure className="space-y-2">
      <UPlotChart options={options} data={data} label="Release lag histogram, last hour" height={180} />
      <figcaption data-testid="lag-summary" className="text-sm text-stone-700">
        {lag.count} releases · p50 {ms(lag.p50Ms)} · p99 {ms(lag.p99Ms)}
      </figcaption>
      <details className="text-sm">
        <summary className="cursor-pointer text-stone-700">The histogram as a table</summary>
        <table className="mt-2 w-full text-left tabular-nums">
          <thead>
            <tr className="text-stone-600">
              <th scope="col">Lag</th>
              <th scope="col">Releases</th>
            </tr>
          </thead>
          <tbody>
            {labels.map((l, i) => (
              <tr key={l}>
                <td>{l}</td>
                <td>{lag.counts[i]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** The freshest worker heartbeat's age, as seen by this page over the last few minutes. */
export function Heartbeat({ points }: { points: { t: number; ageS: number }[] }) {
  const options = useMemo<ChartOptions>(
    () => () => ({
      scales: { x: { time: true }, y: { range: (_u: uPlot, _min: number, max: number) => [0, Math.max(15, max)] } },
      axes: [
        {
          ...axis,
          // Whole seconds only: the page collects a point a second.
          incrs: [1, 5, 10, 15, 30, 60, 120, 300],
          values: (_u: uPlot, splits: number[]) => splits.map((t) => clockSeconds(t)),
        },
        { ...axis, size: 48, label: "seconds since", labelSize: 16, labelFont: "12px system-ui" },
      ],
      legend: { show: false },
      series: [{}, { label: "heartbeat age (s)", stroke: COLORS.heartbeat, width: 2, points: { show: false } }],
    }),
    [],
  );
  return (
    <UPlotChart
      options={options}
      data={[points.map((p) => p.t), points.map((p) => p.ageS)]}
      height={140}
      label="Seconds since the last worker heartbeat, last few minutes"
    />
  );
}
