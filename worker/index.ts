import { config, ConfigError } from "../lib/config";
import { loadEnvFiles } from "../lib/env-files";
import { closeDb } from "../lib/db/client";
import { closeRedis } from "../lib/redis/client";
import { startExpiryWorker } from "./expiry-worker";

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

const worker = startExpiryWorker();
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    // Finish in-flight work, but never hang a deploy: exit anyway after 15 s.
    setTimeout(() => process.exit(0), 15_000).unref();
    void worker
      .stop()
      .then(() => Promise.allSettled([closeRedis(), closeDb()]))
      .finally(() => process.exit(0));
  });
}
