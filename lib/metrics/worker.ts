import "server-only";
import { createServer, type Server } from "node:http";
import { Counter, Gauge } from "prom-client";
import { holdMetrics } from "../hold/hold-metrics";
import { once, processRegistry } from "../base/metrics-registry";

/** The worker process's metrics: its releases' lag (hold-metrics), and the reconciler's findings. */
export const workerMetrics = () =>
  once("worker", (registry) => {
    const registers = [registry];
    holdMetrics.register();
    return {
      reconcileRuns: new Counter({
        name: "holdcart_reconcile_runs_total",
        help: "Reconciliation rounds this worker finished (ledger invariants 1 and 2, Redis against Postgres).",
        registers,
      }),
      reconcileFailures: new Counter({
        name: "holdcart_reconcile_failures_total",
        help: "Reconciliation rounds this worker could not finish (Redis or Postgres unavailable).",
        registers,
      }),
      redisRepairs: new Counter({
        name: "holdcart_redis_repairs_total",
        help: "Carts whose Redis keys disagreed with Postgres and were repaired: rebuilt (live cart) or deleted (ended cart).",
        labelNames: ["action"] as const,
        registers,
      }),
      ledgerDrift: new Gauge({
        name: "holdcart_reconcile_ledger_drift",
        help: "Products whose ledger did not add up at this worker's last reconciliation (never repaired: investigate).",
        registers,
      }),
      lastReconcile: new Gauge({
        name: "holdcart_reconcile_last_run_timestamp_seconds",
        help: "When this worker last finished a reconciliation (Unix time).",
        registers,
      }),
    };
  });

/**
 * `GET /metrics` on `port` (all interfaces: a scraper comes from elsewhere; keep the port off the
 * public network). Anything else is a 404; the exposition needs no database, so it answers even
 * while Postgres is down (the reconciler's failures then show in it).
 */
export async function startMetricsServer(port: number): Promise<Server> {
  workerMetrics();
  const registry = processRegistry();
  const server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" }).end(text),
      () => res.writeHead(500, { "content-type": "text/plain" }).end("metrics unavailable\n"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve());
  });
  return server;
}
