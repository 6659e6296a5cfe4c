import { checkHealth } from "@/lib/metrics/health";
import { json, route } from "@/lib/http/handler";

export const GET = route(async () => {
  const health = await checkHealth();
  const ok = health.redis === "ok" && health.postgres === "ok";
  return json(health, ok ? 200 : 503);
});
