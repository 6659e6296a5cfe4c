import "server-only";
import { log, reason } from "../base/log";
import { config } from "../base/config";
import { pg } from "../db/client";
import { ShopError } from "../base/shop-error";
import type { CartLine, CartView } from "../hold/cart-types";
import { ledgerSettingsJson } from "../hold/ledger-settings";
import { toCartView } from "./cart-view";
import { writeCartToRedis } from "../hold/redis-cart";

type Extended =
  | { ok: true; version: number; extensionsUsed: number; expiresAtMs: number; ttlMs: number; lines: CartLine[] }
  | { ok: false; code: "cart_not_found" | "cart_expired" }
  | { ok: false; code: "extension_refused"; reason: "waitlist"; name: string }
  | { ok: false; code: "extension_refused"; reason: "limit" };

/**
 * Keeps the caller's hold for another CART_TTL_SECONDS from now (WCAG 2.2.1, Timing Adjustable),
 * at most MAX_HOLD_EXTENSIONS times per cart. One statement, the SQL function extend_hold
 * (drizzle/0014_extend_hold.sql): the cart's row and the client's holds are locked for one round
 * trip, the cart must be active and unexpired at that moment, and its deadline moves on the
 * database clock; then the Redis TTL follows from the new deadline. Refused while someone waits
 * for one of its products (reason `waitlist`): a hold is never kept from a shopper in line.
 */
export async function extendHold(cartId: string | null): Promise<CartView> {
  if (!cartId) throw new ShopError("cart_not_found", "You have no cart yet.");
  const [row] = await pg()<{ outcome: Extended }[]>`
    select extend_hold(${cartId}::uuid, ${ledgerSettingsJson()}::jsonb) as outcome`;
  const outcome = row?.outcome;
  if (!outcome) throw new Error("extend_hold answered no row");
  if (!outcome.ok) throw extensionRefusal(outcome);
  const snapshot = { cartId, ...outcome };
  // The ledger has the new deadline. Should this write fail, the old Redis key expires early,
  // the worker finds the cart not yet due and keeps it, and the next read rebuilds the keys.
  await writeCartToRedis(snapshot).catch((error: Error) =>
    log.warn("extend_redis_write_failed", { cart: cartId, error: reason(error) }),
  );
  return toCartView(snapshot);
}

/** extend_hold's refusal, worded as the shopper reads it. */
function extensionRefusal(refused: Exclude<Extended, { ok: true }>): ShopError {
  switch (refused.code) {
    case "cart_not_found":
      return new ShopError("cart_not_found", "You have no cart yet.");
    case "cart_expired":
      return new ShopError("cart_expired", "Your hold ended: nothing is held for you now.");
  }
  if (refused.reason === "waitlist") {
    return new ShopError(
      "extension_refused",
      `Someone is waiting for the ${refused.name}, so this hold cannot be kept longer; check out to keep it.`,
      { reason: "waitlist" },
    );
  }
  const { maxHoldExtensions } = config();
  return new ShopError(
    "extension_refused",
    `Your items have been kept ${maxHoldExtensions} times already; please check out or let them go.`,
    { reason: "limit", maxHoldExtensions },
  );
}
