import "server-only";
import { eq, sql } from "drizzle-orm";
import { db } from "../db/client";
import { carts, reservations } from "../db/schema";
import { releaseCart } from "./release";
import { EMPTY_CART, type CartView } from "./cart-types";
import { toCartView } from "./cart-view";
import { readSnapshot, writeSnapshot, type CartSnapshot } from "./snapshot";

/**
 * The caller's cart, from Redis alone on the common path. When Redis has no keys for it
 * (flushed, restarted), Postgres decides: an active cart is rebuilt into Redis from the
 * ledger and answered as if nothing happened; an overdue one is released on the spot.
 */
export async function getCart(cartId: string | null): Promise<CartView> {
  if (!cartId) return EMPTY_CART;
  const cached = await readSnapshot(cartId);
  if (cached.kind === "live") return toCartView(cached);
  if (cached.kind === "ended") return EMPTY_CART;
  const snapshot = await loadSnapshot(cartId);
  if (!snapshot) return EMPTY_CART;
  await writeSnapshot(snapshot);
  return toCartView(snapshot);
}

/** The live cart as the ledger has it, or null when it is not active (releasing it if overdue). */
export async function loadSnapshot(cartId: string): Promise<CartSnapshot | null> {
  const [cart] = await db()
    .select({
      state: carts.state,
      version: carts.version,
      extensionsUsed: carts.extensionsUsed,
      live: sql<boolean>`${carts.expiresAt} > now()`,
      expiresAtMs: sql<number>`(extract(epoch from ${carts.expiresAt}) * 1000)::float8`,
      ttlMs: sql<number>`floor(extract(epoch from ${carts.expiresAt} - now()) * 1000)::int`,
    })
    .from(carts)
    .where(eq(carts.id, cartId));
  if (!cart || cart.state !== "active") return null;
  if (!cart.live) {
    await releaseCart(cartId, "lazy");
    return null;
  }
  const lines = await db()
    .select({ productId: reservations.productId, quantity: reservations.quantity })
    .from(reservations)
    .where(eq(reservations.cartId, cartId))
    .orderBy(reservations.productId);
  const { version, expiresAtMs, ttlMs, extensionsUsed } = cart;
  return { cartId, version, expiresAtMs, ttlMs, extensionsUsed, lines };
}
