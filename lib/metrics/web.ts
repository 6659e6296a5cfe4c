import "server-only";
import { Counter, Gauge } from "prom-client";
import { openStockSubscriptions } from "../inventory/stock-feed";
import { ledgerStatus } from "../ledger/reconcile";
import { holdMetrics } from "./hold-metrics";
import { once, processRegistry } from "./registry";
import { readStoreCounts, type StoreCounts } from "./store-counts";
import { waitingShoppers } from "./waiting-line";

/** The web process's metrics: Postgres-derived counts and gauges, and this process's own. */
const webMetrics = () =>
  once("web", (registry) => {
    const registers = [registry];
    return {
      created: new Counter({
        name: "holdcart_holds_created_total",
        help: "Holds started: carts that held stock (from Postgres; the same on every web instance).",
        registers,
      }),
      extended: new Counter({
        name: "holdcart_holds_extended_total",
        help: "Times a shopper kept a hold longer (from Postgres).",
        registers,
      }),
      released: new Counter({
        name: "holdcart_holds_released_total",
        help: "Holds ended without an order, by who ended them: event, sweep, lazy, empty, compensate (from Postgres).",
        labelNames: ["path"] as const,
        registers,
      }),
      converted: new Counter({
        name: "holdcart_holds_converted_total",
        help: "Holds turned into orders (from Postgres).",
        registers,
      }),
      active: new Gauge({
        name: "holdcart_active_carts",
        help: "Carts holding stock before their deadline (from Postgres).",
        registers,
      }),
      overdue: new Gauge({
        name: "holdcart_overdue_carts",
        help: "Active carts past their deadline, not yet released: above 0 for long means no worker keeps up (from Postgres).",
        registers,
      }),
      heartbeat: new Gauge({
        name: "holdcart_worker_heartbeat_age_seconds",
        help: "Seconds since any expiry worker last wrote its heartbeat (from Postgres; absent when none ever did).",
        registers,
      }),
      drift: new Gauge({
        name: "holdcart_ledger_drift",
        help: "Products whose ledger does not add up (invariants 1 and 2): must be 0 (from Postgres).",
        registers,
      }),
      waiting: new Gauge({
        name: "holdcart_waiting_shoppers",
        help: "Shoppers waiting in line for a product (from Postgres).",
        registers,
      }),
      streams: new Gauge({
        name: "holdcart_open_streams",
        help: "Open live stock streams of this web process.",
        registers,
        collect() {
          this.set(openStockSubscriptions());
        },
      }),
    };
  });

function setFromStore(m: ReturnType<typeof webMetrics>, counts: StoreCounts): void {
  // A counter whose value Postgres keeps: set to the absolute count at each scrape.
  const absolute = (counter: Counter<string>, value: number, labels?: Record<string, string>) => {
    if (labels) {
      counter.remove(labels);
      counter.inc(labels, value);
    } else {
      counter.reset();
      counter.inc(value);
    }
  };
  absolute(m.created, counts.holdsCreated);
  absolute(m.extended, counts.holdsExtended);
  absolute(m.converted, counts.holdsConverted);
  for (const [path, n] of Object.entries(counts.releasedByPath)) absolute(m.released, n, { path });
  m.active.set(counts.activeCarts);
  m.overdue.set(counts.overdueCarts);
  if (counts.workerHeartbeatAgeS === null) m.heartbeat.reset();
  else m.heartbeat.set(counts.workerHeartbeatAgeS);
}

/** The exposition of `GET /api/metrics`: Postgres is read first, so a database outage is a 503. */
export async function webMetricsText(): Promise<{ contentType: string; text: string }> {
  holdMetrics.register();
  const m = webMetrics();
  const [counts, ledger, waiting] = await Promise.all([readStoreCounts(), ledgerStatus(), waitingShoppers()]);
  setFromStore(m, counts);
  m.drift.set(ledger.drift.length);
  m.waiting.set(waiting ?? 0);
  const registry = processRegistry();
  return { contentType: registry.contentType, text: await registry.metrics() };
}
