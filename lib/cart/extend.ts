import "server-only";
import { log, reason } from "../base/log";
import { config } from "../base/config";
import { pg } from "../db/client";
import { ShopError } from "../base/shop-error";
import type { CartView } from "../hold/cart-types";
import { toCartView } from "./cart-view";
import { deadlineColumns, type DeadlineColumns } from "../hold/deadline-sql";
import type { CartLine } from "../hold/cart-types";
import { writeCartToRedis } from "../hold/redis-cart";

type LockedCart = { state: string; live: boolean; extensions_used: number };

/**
 * Keeps the caller's hold for another CART_TTL_SECONDS from now (WCAG 2.2.1, Timing Adjustable),
 * at most MAX_HOLD_EXTENSIONS times per cart. One transaction: lock the cart (it must be active
 * and unexpired), move its deadline on the database clock, bump its version; then the Redis TTL
 * follows from the new deadline. Refused while someone waits for one of its products (reason
 * `waitlist`): a hold is never kept from a shopper in line.
 */
export async function extendHold(cartId: string | null): Promise<CartView> {
  if (!cartId) throw new ShopError("cart_not_found", "You have no cart yet.");
  const { cartTtlSeconds, maxHoldExtensions } = config();
  const snapshot = await pg().begin(async (tx) => {
    const [cart] = await tx<LockedCart[]>`
      select state, expires_at > now() as live, extensions_used from carts where id = ${cartId} for update`;
    if (!cart) throw new ShopError("cart_not_found", "You have no cart yet.");
    if (cart.state !== "active" || !cart.live)
      throw new ShopError("cart_expired", "Your hold ended: nothing is held for you now.");
    const [awaited] = await tx<{ name: string }[]>`
      select p.name from reservations r
        join products p on p.id = r.product_id
       where r.cart_id = ${cartId}
         and exists (select 1 from waitlist_entries w where w.product_id = r.product_id and w.offer_cart_id is null)
       order by r.product_id limit 1`;
    if (awaited) {
      throw new ShopError(
        "extension_refused",
        `Someone is waiting for the ${awaited.name}, so this hold cannot be kept longer; check out to keep it.`,
        { reason: "waitlist" },
      );
    }
    if (cart.extensions_used >= maxHoldExtensions) {
      throw new ShopError(
        "extension_refused",
        `Your items have been kept ${maxHoldExtensions} times already; please check out or let them go.`,
        { reason: "limit", maxHoldExtensions },
      );
    }
    const [[extended], lines] = await Promise.all([
      tx<({ version: number; extensions_used: number } & DeadlineColumns)[]>`
        update carts
           set expires_at = greatest(expires_at, now() + make_interval(secs => ${cartTtlSeconds})),
               extensions_used = extensions_used + 1,
               version = version + 1
         where id = ${cartId}
        returning version, extensions_used, ${deadlineColumns(tx, tx`expires_at`)}`,
      tx<{ product_id: number; quantity: number }[]>`
        select product_id, quantity from reservations where cart_id = ${cartId} order by product_id`,
    ]);
    if (!extended) throw new Error(`cart ${cartId} vanished under its row lock`);
    const held: CartLine[] = lines.map((l) => ({ productId: l.product_id, quantity: l.quantity }));
    return {
      cartId,
      version: extended.version,
      expiresAtMs: Number(extended.expires_at_ms),
      ttlMs: extended.ttl_ms,
      extensionsUsed: extended.extensions_used,
      lines: held,
    };
  });
  // The ledger has the new deadline. Should this write fail, the old Redis key expires early,
  // the worker finds the cart not yet due and keeps it, and the next read rebuilds the keys.
  await writeCartToRedis(snapshot).catch((error: Error) =>
    log.warn("extend_redis_write_failed", { cart: cartId, error: reason(error) }),
  );
  return toCartView(snapshot);
}
