import "server-only";
import { Counter, Gauge, Registry } from "prom-client";
import { ledgerStatus } from "../ledger/reconcile";
import { processMetricsText } from "./cluster";
import { processRegistry } from "../base/metrics-registry";
import { registerWebProcessMetrics } from "./web-process";
import { readStoreCounts, type StoreCounts } from "./store-counts";
import { waitingShoppers } from "./waiting-line";

// On globalThis, like the process registry: one set per process, whichever bundle asks first.
const globalForStore = globalThis as unknown as { __holdcartStoreMetrics?: ReturnType<typeof createStoreMetrics> };

/**
 * What Postgres knows, read at each scrape by the process answering it: the same on every web
 * process and instance, so kept apart from the processes' own metrics, which a cluster sums.
 */
const storeMetrics = () => (globalForStore.__holdcartStoreMetrics ??= createStoreMetrics());

function createStoreMetrics() {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    metrics: {
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
    },
  };
}

function setFromStore(m: ReturnType<typeof storeMetrics>["metrics"], counts: StoreCounts): void {
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

/**
 * The exposition of `GET /api/metrics`: Postgres is read first, so a database outage is a 503;
 * then the web processes' own metrics, summed across the cluster when there is one.
 */
export async function webMetricsText(): Promise<{ contentType: string; text: string }> {
  registerWebProcessMetrics();
  const { registry, metrics: m } = storeMetrics();
  const [counts, ledger, waiting] = await Promise.all([readStoreCounts(), ledgerStatus(), waitingShoppers()]);
  setFromStore(m, counts);
  m.drift.set(ledger.drift.length);
  m.waiting.set(waiting ?? 0);
  const [store, processes] = await Promise.all([registry.metrics(), processMetricsText(processRegistry())]);
  return {
    contentType: registry.contentType,
    text: `${store}
${processes}`,
  };
}
