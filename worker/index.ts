import { config } from "../lib/base/config";
import { log, reason } from "../lib/base/log";
import { exitOnBadConfig } from "../lib/base/startup-check";
import { loadEnvFiles } from "../lib/base/env-files";
import { closeDb } from "../lib/db/client";
import { closeRedis } from "../lib/redis/client";
import { startMetricsServer } from "../lib/metrics/worker";
import { startExpiryWorker } from "./expiry-worker";
import { startReconciler } from "./reconciler";

loadEnvFiles();
exitOnBadConfig();

// The worker must outlive a driver's stray rejection (postgres.js can reject an internal promise
// nobody awaits when the server kills a connection mid-transaction): log it and keep sweeping.
// Correctness never rests on this process: every release is one Postgres transaction.
process.on("unhandledRejection", (rejection) => {
  log.error("unhandled_rejection", { error: reason(rejection) });
});

const worker = startExpiryWorker();
const reconciler = startReconciler(config().reconcileIntervalMs);
const { metricsPort } = config();
const metricsServer = metricsPort
  ? await startMetricsServer(metricsPort).then(
      (server) => (log.info("metrics_listening", { port: metricsPort }), server),
      (error: Error) => {
        // A port already taken must not stop releases: holds ending on time matters more.
        log.error("metrics_failed", { port: metricsPort, error: error.message });
        return null;
      },
    )
  : null;
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    // Finish in-flight work, but never hang a deploy: exit anyway after 15 s.
    setTimeout(() => process.exit(0), 15_000).unref();
    metricsServer?.close();
    void Promise.all([worker.stop(), reconciler.stop()])
      .then(() => Promise.allSettled([closeRedis(), closeDb()]))
      .finally(() => process.exit(0));
  });
}
