import "server-only";
import { Counter, Histogram } from "prom-client";
import { once } from "../base/metrics-registry";

/**
 * What only the process that does it knows, counted per process (Prometheus sums the instances):
 * how late each hold ended, and the waiting line's offers. Counts Postgres keeps (holds created,
 * released by path, converted...) are read from it at scrape time instead: lib/metrics/web.ts.
 */
const releaseLag = () =>
  once(
    "releaseLag",
    (registry) =>
      new Histogram({
        name: "holdcart_release_lag_seconds",
        help: "Time from a hold's deadline to its units being back in stock, for holds that ran out (released by event, sweep or lazily) in this process.",
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
        registers: [registry],
      }),
  );

const rowLock = () =>
  once(
    "rowLock",
    (registry) =>
      new Histogram({
        name: "holdcart_row_lock_held_seconds",
        help: "How long a product's inventory row stayed locked by one statement of this process (invariant 12), from the lock to the statement's end, which commits: by batch (line changes) and release.",
        labelNames: ["op"] as const,
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
        registers: [registry],
      }),
  );

const offers = () =>
  once("offers", (registry) => ({
    made: new Counter({
      name: "holdcart_offers_made_total",
      help: "Units offered to shoppers in a waiting line (a hold of their own), by this process.",
      registers: [registry],
    }),
    claimed: new Counter({
      name: "holdcart_offers_claimed_total",
      help: "Offers claimed by checking out, by this process.",
      registers: [registry],
    }),
    passed: new Counter({
      name: "holdcart_offers_passed_total",
      help: "Offers that ended unclaimed or were declined, their units passed to the next in line, by this process.",
      registers: [registry],
    }),
  }));

export const holdMetrics = {
  /** One line after each release: the early ones (emptied, undone) have no lag to speak of. */
  released(released: readonly { path: string; lagMs: number }[]): void {
    for (const r of released) {
      if (r.path === "event" || r.path === "sweep" || r.path === "lazy") {
        releaseLag().observe(Math.max(0, r.lagMs) / 1000);
      }
    }
  },
  /** How long one statement held a product's row lock (null: it locked none). */
  rowLockHeld(op: "batch" | "release", ms: number | null): void {
    if (ms !== null) rowLock().observe({ op }, ms / 1000);
  },
  /** The waiting line (issue 14): call where an offer is made, claimed, or passed on. */
  offerMade: (units = 1) => offers().made.inc(units),
  offerClaimed: (units = 1) => offers().claimed.inc(units),
  offerPassed: (units = 1) => offers().passed.inc(units),
  /** Registers this module's metrics before the first event, so a scrape shows them at 0. */
  register(): void {
    releaseLag();
    rowLock();
    offers();
  },
};
