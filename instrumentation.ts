/** Runs once when the Next.js server starts: refuse to start on a bad configuration. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") (await import("./lib/base/startup-check")).checkWebStartup();
}

/**
 * A page that failed to render because Postgres or Redis was unavailable: noted, so that the web
 * server answers it 503 "busy for a moment" instead of Next's 500 (lib/http/backend-outage.ts).
 * Imported here, as in `register`, so that Next's Edge build of this file leaves Node's modules out.
 */
export async function onRequestError(error: unknown): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const [{ isBackendUnavailable }, { noteBackendUnavailable }] = await Promise.all([
    import("./lib/http/error-response"),
    import("./lib/http/backend-outage"),
  ]);
  if (isBackendUnavailable(error)) noteBackendUnavailable();
}
