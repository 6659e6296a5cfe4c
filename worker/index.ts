import { config, ConfigError } from "../lib/config";
import { loadEnvFiles } from "../lib/env-files";
import { closeDb } from "../lib/db/client";
import { closeRedis } from "../lib/redis/client";
import { startMetricsServer } from "../lib/metrics/worker";
import { startExpiryWorker } from "./expiry-worker";
import { startReconciler } from "./reconciler";

loadEnvFiles();
try {
  config();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

// The worker must outlive a driver's stray rejection (postgres.js can reject an internal promise
// nobody awaits when the server kills a connection mid-transaction): log it and keep sweeping.
// Correctness never rests on this process: every release is one Postgres transaction.
process.on("unhandledRejection", (reason) => {
  console.log(JSON.stringify({ t: new Date().toISOString(), event: "unhandled_rejection", error: String(reason) }));
});

const log = (fields: Record<string, unknown>) =>
  console.log(JSON.stringify({ t: new Date().toISOString(), ...fields }));
const worker = startExpiryWorker();
const reconciler = startReconciler(config().reconcileIntervalMs, log);
const { metricsPort } = config();
const metricsServer = metricsPort
  ? await startMetricsServer(metricsPort).then(
      (server) => (log({ event: "metrics_listening", port: metricsPort }), server),
      (error: Error) => {
        // A port already taken must not stop releases: holds ending on time matters more.
        log({ event: "metrics_failed", port: metricsPort, error: error.message });
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
