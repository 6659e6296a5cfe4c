export const dynamic = "force-dynamic";

/**
 * Liveness: the process answers, whatever Redis and Postgres do (GET /api/health is readiness).
 * Also the framework floor in `npm run bench`: what Next costs for a request that does nothing.
 */
export function GET(): Response {
  return new Response("ok", { headers: { "content-type": "text/plain", "cache-control": "no-store" } });
}
