import "server-only";
import { randomBytes } from "node:crypto";
import { config } from "../base/config";
import { redis } from "../redis/client";
import { newCartRateKey } from "../redis/keys";
import { ShopError } from "../base/shop-error";

const WINDOW_MS = 60_000;
/** Clients remembered as refused, at most; past it the ones whose refusal is over are forgotten. */
const MAX_REMEMBERED = 10_000;

// On globalThis, like the stream slots: the door (lib/http/door/door.ts) and the routes are
// bundled apart, and both must read the one map of the process.
const globalForRefused = globalThis as unknown as { __holdcartNewCartsRefused?: Map<string, number> };
const refusedUntil = () => (globalForRefused.__holdcartNewCartsRefused ??= new Map<string, number>());

/**
 * Anti-hoarding: at most NEW_CARTS_PER_IP_PER_MINUTE new carts per client in any 60 s (0 = no
 * limit). A sliding window: a fixed one let twice the limit through across a minute boundary.
 * Answers 0 when `client` may start a cart now (and counts it), else the ms until it may: until
 * then the window is full, in every process, so this process remembers the refusal and the door
 * answers the client's next new carts itself (`newCartsRefusedForMs`), without Redis or Next.
 */
export async function newCartWaitMs(client: string): Promise<number> {
  const limit = config().newCartsPerIpPerMinute;
  if (limit === 0) return 0;
  // From when it was asked: the window's clock (Redis's) read the wait then, and the answer's
  // round trip must not lengthen the refusal.
  const asked = performance.now();
  const answer = await redis().admitInWindow(newCartRateKey(client), WINDOW_MS, limit, randomBytes(6).toString("hex"));
  if (answer === 1) return 0;
  const waitMs = Math.max(1, -answer);
  remember(client, asked + waitMs);
  return waitMs;
}

/** Ms for which `client`'s new carts are known to be refused (0: not known to be). */
export function newCartsRefusedForMs(client: string): number {
  const until = refusedUntil().get(client);
  if (until === undefined) return 0;
  const left = until - performance.now();
  if (left > 0) return left;
  refusedUntil().delete(client);
  return 0;
}

function remember(client: string, until: number): void {
  const refused = refusedUntil();
  if (refused.size >= MAX_REMEMBERED) {
    const now = performance.now();
    for (const [key, end] of refused) if (end <= now) refused.delete(key);
  }
  if (refused.size < MAX_REMEMBERED) refused.set(client, until);
}

/** The refusal of a new cart, by the route or by the door: retry when the window has room. */
export const tooManyNewCarts = (waitMs: number) =>
  new ShopError("rate_limited", "Too many new carts from your network. Please wait a minute.", {
    retryAfter: Math.max(1, Math.ceil(waitMs / 1_000)),
  });
