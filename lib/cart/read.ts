import "server-only";
import { pg } from "../db/client";
import { deadlineColumns, type DeadlineColumns } from "./deadline-sql";
import { releaseCart } from "./release";
import { EMPTY_CART, type CartLine, type CartSnapshot, type CartView } from "./cart-types";
import { toCartView } from "./cart-view";
import { readCartFromRedis, writeCartToRedis } from "./redis-cart";

/**
 * The caller's cart, from Redis alone on the common path. When Redis has no keys for it
 * (flushed, restarted), Postgres decides: an active cart is rebuilt into Redis from the
 * ledger and answered as if nothing happened; an overdue one is released on the spot.
 */
export async function getCart(cartId: string | null): Promise<CartView> {
  if (!cartId) return EMPTY_CART;
  const cached = await readCartFromRedis(cartId);
  if (cached.kind === "live") return toCartView(cached);
  if (cached.kind === "ended") return EMPTY_CART;
  const snapshot = await readCartFromLedger(cartId);
  if (!snapshot) return EMPTY_CART;
  await writeCartToRedis(snapshot);
  return toCartView(snapshot);
}

/** The live cart as the ledger has it, or null when it is not active (releasing it if overdue). */
export async function readCartFromLedger(cartId: string): Promise<CartSnapshot | null> {
  const sql = pg();
  // One statement, so the version and the lines are of the same commit: a version with lines
  // of another would be kept in Redis over the true one.
  const [cart] = await sql<
    ({ state: string; version: number; extensions_used: number; live: boolean; lines: CartLine[] } & DeadlineColumns)[]
  >`
    select c.state, c.version, c.extensions_used, c.expires_at > now() as live,
           ${deadlineColumns(sql, sql`c.expires_at`)},
           coalesce((select json_agg(json_build_object('productId', r.product_id, 'quantity', r.quantity)
                                     order by r.product_id)
                       from reservations r where r.cart_id = c.id), '[]') as lines
      from carts c where c.id = ${cartId}`;
  if (!cart || cart.state !== "active") return null;
  if (!cart.live) {
    await releaseCart(cartId, "lazy");
    return null;
  }
  return {
    cartId,
    version: cart.version,
    expiresAtMs: Number(cart.expires_at_ms),
    ttlMs: cart.ttl_ms,
    extensionsUsed: cart.extensions_used,
    lines: cart.lines,
  };
}
