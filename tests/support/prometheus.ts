import parsePrometheusTextFormat, { type MetricFamily } from "parse-prometheus-text-format";

/** A scrape, parsed by a real Prometheus text-format parser: metric families by name. */
export type Scrape = Map<string, MetricFamily>;

export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return new Map(parsePrometheusTextFormat(await response.text()).map((f) => [f.name, f]));
}

const matches = (labels: Record<string, string> | undefined, wanted: Record<string, string>) =>
  Object.entries(wanted).every(([k, v]) => labels?.[k] === v);

/** The sum of a counter's or gauge's samples whose labels include `labels` (0 when it has none). */
export function value(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  const family = s.get(name);
  return (family?.metrics ?? [])
    .filter((m) => matches(m.labels, labels))
    .reduce((sum, m) => sum + Number(m.value ?? 0), 0);
}

/** A histogram's observation count, over every label set that includes `labels`. */
export function histogramCount(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  const family = s.get(name);
  if (family && family.type !== "HISTOGRAM") throw new Error(`${name} is a ${family.type}, not a histogram`);
  return (family?.metrics ?? [])
    .filter((m) => matches(m.labels, labels))
    .reduce((sum, m) => sum + Number(m.count ?? 0), 0);
}
