import { noteBackendUnavailable } from "./lib/http/backend-outage";
import { isBackendUnavailable } from "./lib/http/error-response";

/** Runs once when the Next.js server starts: refuse to start on a bad configuration. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") (await import("./lib/base/startup-check")).checkWebStartup();
}

/**
 * A page that failed to render because Postgres or Redis was unavailable: noted, so that the web
 * server answers it 503 "busy for a moment" instead of Next's 500 (lib/http/backend-outage.ts).
 */
export function onRequestError(error: unknown): void {
  if (process.env.NEXT_RUNTIME === "nodejs" && isBackendUnavailable(error)) noteBackendUnavailable();
}
