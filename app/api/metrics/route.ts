import { assertAdmin } from "@/lib/admin/auth";
import { route } from "@/lib/http/handler";
import { webMetricsText } from "@/lib/metrics/web";

/** Prometheus text exposition (bearer ADMIN_TOKEN or an admin session); 503 while Postgres is down. */
export const GET = route(async (request) => {
  await assertAdmin(request.headers);
  const { contentType, text } = await webMetricsText();
  return new Response(text, { headers: { "content-type": contentType, "cache-control": "no-store" } });
});
