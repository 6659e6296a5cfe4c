import "server-only";
import { config, ConfigError } from "./config";
import { behindWebServer } from "./http/web-server-mark";

// Imported once at server start (instrumentation.ts): one line per configuration problem, then exit.
try {
  config();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

// A bare `next start` takes X-Forwarded-For from the client, so one client could pass for any
// number of them and the per-client caps (invariant 9) would be void. Production runs behind
// scripts/web-server.ts (`npm run start:web`, `npm start`), which names the client itself.
if (config().nodeEnv === "production" && process.env.NEXT_PHASE !== "phase-production-build" && !behindWebServer()) {
  console.error(
    "Start the web with `npm run start:web` (node dist/web.mjs), not `next start`: it names each client by its address.",
  );
  process.exit(1);
}
