/**
 * How long a product's inventory row stayed locked per statement (invariant 12), from the
 * `holdcart_row_lock_held_seconds` histograms of every process that locks it: the web (its
 * batches of line changes, lazy releases) and the workers (releases and hand-offs). Quantiles are
 * the upper bound of the histogram bucket they fall in.
 */
export type RowLockHeld = Record<
  "batch" | "release",
  { n: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null }
>;

const BUCKET = /^holdcart_row_lock_held_seconds_bucket\{([^}]*)\} (\S+)/;

/** Adds up the histograms in `scrapes` (Prometheus text) and reads their quantiles. */
export function rowLockHeld(scrapes: readonly string[]): RowLockHeld {
  const counts = new Map<string, Map<number, number>>(); // op → le (ms) → cumulative count
  for (const text of scrapes) {
    for (const line of text.split("\n")) {
      const match = BUCKET.exec(line);
      if (!match) continue;
      const labels = Object.fromEntries(
        [...(match[1] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? "", m[2] ?? ""]),
      );
      const op = labels.op ?? "";
      const le = labels.le === "+Inf" ? Infinity : Number(labels.le) * 1_000;
      const byLe = counts.get(op) ?? new Map<number, number>();
      byLe.set(le, (byLe.get(le) ?? 0) + Number(match[2]));
      counts.set(op, byLe);
    }
  }
  const of = (op: string) => {
    const buckets = [...(counts.get(op) ?? new Map<number, number>())].sort(([a], [b]) => a - b);
    const n = buckets.at(-1)?.[1] ?? 0;
    const quantile = (q: number) => {
      if (n === 0) return null;
      const found = buckets.find(([, c]) => c >= q * n);
      return found ? found[0] : null;
    };
    return { n, p50Ms: quantile(0.5), p99Ms: quantile(0.99), maxMs: quantile(1) };
  };
  return { batch: of("batch"), release: of("release") };
}

/** One scrape's text, or "" when the endpoint does not answer (a worker already gone). */
export async function scrapeText(url: string, headers: Record<string, string> = {}): Promise<string> {
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    return response.ok ? await response.text() : "";
  } catch {
    return "";
  }
}
