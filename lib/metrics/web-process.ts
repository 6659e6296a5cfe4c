import "server-only";
import { Gauge } from "prom-client";
import { openStockSubscriptions } from "../streams/stock-watch";
import { shareProcessMetrics } from "./cluster";
import { holdMetrics } from "../hold/hold-metrics";
import { once, processRegistry } from "../base/metrics-registry";

/** What each web process counts of its own; in a cluster the scrape sums them (lib/metrics/cluster.ts). */
export function registerWebProcessMetrics(): void {
  holdMetrics.register();
  once(
    "openStreams",
    (registry) =>
      new Gauge({
        name: "holdcart_open_streams",
        help: "Open live stock streams, of all this instance's web processes.",
        registers: [registry],
        collect() {
          this.set(openStockSubscriptions());
        },
      }),
  );
}

/**
 * Called by each web process as it starts (scripts/web-server.ts), so every process has its
 * metrics registered and answers the primary's collection before its first scrape.
 */
export function startWebProcessMetrics(): void {
  registerWebProcessMetrics();
  shareProcessMetrics(processRegistry());
}
