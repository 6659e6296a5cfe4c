/** Runs once when the Next.js server starts: refuse to start on a bad configuration. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") (await import("./lib/base/startup-check")).checkWebStartup();
}
