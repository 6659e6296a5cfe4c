import "server-only";
import { config } from "../config";
import { redis } from "../redis/client";
import { newCartRateKey } from "../redis/keys";

const WINDOW_MS = 60_000;

/** Anti-hoarding: at most NEW_CARTS_PER_IP_PER_MINUTE new carts per client IP (0 = no limit). */
export async function allowNewCart(clientIp: string): Promise<boolean> {
  const limit = config().newCartsPerIpPerMinute;
  if (limit === 0) return true;
  const minute = Math.floor(Date.now() / WINDOW_MS);
  const count = await redis().countInWindow(newCartRateKey(clientIp, minute), WINDOW_MS);
  return count <= limit;
}
