import { config } from "../lib/base/config";
import { migrateDatabase } from "../lib/db/migrate";
import { runCli } from "./cli";
import { runTogether } from "./processes";

/**
 * Production on one machine: migrate, then the web server and the worker side by side. It is
 * production whatever NODE_ENV the shell has, and the configuration is checked as production
 * before anything starts: a missing SESSION_SECRET or ADMIN_TOKEN refuses the whole start, rather
 * than a worker releasing holds before the web refuses.
 */
runCli(async () => {
  (process.env as Record<string, string | undefined>).NODE_ENV ??= "production";
  const { databaseUrl } = config();
  await migrateDatabase(databaseUrl);
  runTogether([
    { name: "web", command: process.execPath, args: ["dist/web.mjs"] },
    // A worker that dies is started again without touching the web: holds still end meanwhile
    // through any other worker, and through the sweep of this one when it is back (invariant 4).
    { name: "worker", command: process.execPath, args: ["dist/worker.mjs"], restart: true },
  ]);
  await new Promise(() => {}); // runTogether exits the process when its children are done
});
