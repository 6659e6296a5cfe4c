import "server-only";
import { config, ConfigError } from "./config";
import { behindWebServer } from "./web-server-mark";

/** Refuses to start on a bad configuration: one line per problem, then exit 1. Web and worker. */
export function exitOnBadConfig(): void {
  try {
    config();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/**
 * The web's check, run once at server start (instrumentation.ts). Besides the configuration: a
 * bare `next start` takes X-Forwarded-For from the client, so one client could pass for any
 * number of them and the per-client caps (invariant 9) would be void. Production runs behind
 * scripts/web-server.ts (`npm run start:web`, `npm start`), which names the client itself.
 */
export function checkWebStartup(): void {
  exitOnBadConfig();
  if (config().nodeEnv === "production" && process.env.NEXT_PHASE !== "phase-production-build" && !behindWebServer()) {
    console.error(
      "Start the web with `npm run start:web` (node dist/web.mjs), not `next start`: it names each client by its address.",
    );
    process.exit(1);
  }
}
