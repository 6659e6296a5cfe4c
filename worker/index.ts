import { config, ConfigError } from "../lib/config";
import { closeDb } from "../lib/db/client";
import { closeRedis } from "../lib/redis/client";
import { startExpiryWorker } from "./expiry-worker";

try {
  config();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const worker = startExpiryWorker();
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void worker
      .stop()
      .then(() => Promise.allSettled([closeRedis(), closeDb()]))
      .finally(() => process.exit(0));
  });
}
