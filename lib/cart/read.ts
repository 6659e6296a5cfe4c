import "server-only";
import { pg } from "../db/client";
import { ledgerSnapshots } from "../hold/ledger-snapshot";
import { releaseCart } from "../hold/release";
import { EMPTY_CART, type CartSnapshot, type CartView } from "../hold/cart-types";
import { toCartView } from "./cart-view";
import { readCartFromRedis, writeCartToRedis } from "../hold/redis-cart";

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
  const [cart] = await ledgerSnapshots(sql, sql`c.id = ${cartId}`);
  if (!cart || cart.state !== "active") return null;
  if (!cart.live) {
    await releaseCart(cartId, "lazy");
    return null;
  }
  return cart;
}
