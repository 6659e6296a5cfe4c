import "server-only";
import { randomBytes } from "node:crypto";
import { config } from "../base/config";
import { redis } from "../redis/client";
import { newCartRateKey } from "../redis/keys";

const WINDOW_MS = 60_000;

/**
 * Anti-hoarding: at most NEW_CARTS_PER_IP_PER_MINUTE new carts per client in any 60 s (0 = no
 * limit). A sliding window: a fixed one let twice the limit through across a minute boundary.
 */
export async function allowNewCart(client: string): Promise<boolean> {
  const limit = config().newCartsPerIpPerMinute;
  if (limit === 0) return true;
  return (await redis().admitInWindow(newCartRateKey(client), WINDOW_MS, limit, randomBytes(6).toString("hex"))) === 1;
}
