import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { db } from "../db/client";
import { carts, inventory, orderLines, orders, products, reservations, waitlistEntries } from "../db/schema";
import { ShopError } from "../errors";
import { lockInventoryInOrder } from "../inventory/counters";
import { releaseCart } from "../cart/release";
import { forgetCartsInRedis } from "../cart/snapshot";
import { holdMetrics } from "../metrics/hold-metrics";
import { collectPayment } from "./payment";
import { findOrder, type OrderView } from "./orders";
import type { Contact } from "./schemas";

type Outcome =
  | { kind: "placed"; orderId: string; offersClaimed: number }
  | { kind: "already"; orderId: string }
  | { kind: "overdue" };

/**
 * Turns the cart's holds into an order, exactly once (invariant 6: checkout xor expiry).
 *
 * One transaction holds the cart's row lock throughout, the same lock release takes, so:
 * - a cart already checked out answers with its order (double submit, two tabs: one order);
 * - a cart past its deadline places no order and answers cart_expired; it is released right
 *   after (by the same conditional release as the worker's, so exactly once), so a checkout
 *   racing the deadline leaves exactly one outcome, never both and never neither;
 * - otherwise each line moves from reserved to sold and the order keeps the unit price of now.
 */
export async function placeOrder(
  cartId: string | null,
  contact: Contact,
): Promise<{ order: OrderView; created: boolean }> {
  if (!cartId) throw new ShopError("cart_empty", "Your cart is empty.");
  const outcome = await db().transaction(async (tx): Promise<Outcome> => {
    const [cart] = await tx
      .select({ state: carts.state, live: sql<boolean>`${carts.expiresAt} > now()` })
      .from(carts)
      .where(eq(carts.id, cartId))
      .for("update");
    if (!cart) throw new ShopError("cart_empty", "Your cart is empty.");
    if (cart.state === "checked_out") {
      const [existing] = await tx.select({ id: orders.id }).from(orders).where(eq(orders.cartId, cartId));
      if (!existing) throw new Error(`cart ${cartId} is checked out without an order`);
      return { kind: "already", orderId: existing.id };
    }
    if (cart.state === "expired") throw new ShopError("cart_expired", "Your cart has expired.");
    if (!cart.live) return { kind: "overdue" };

    const lines = await tx
      .select({
        productId: reservations.productId,
        quantity: reservations.quantity,
        unitPriceCents: products.priceCents,
      })
      .from(reservations)
      .innerJoin(products, eq(products.id, reservations.productId))
      .where(eq(reservations.cartId, cartId))
      .orderBy(asc(reservations.productId));
    if (lines.length === 0) throw new ShopError("cart_empty", "Your cart is empty.");

    await lockInventoryInOrder(
      tx,
      lines.map((l) => l.productId),
    );
    for (const line of lines) {
      await tx
        .update(inventory)
        .set({
          reserved: sql`${inventory.reserved} - ${line.quantity}`,
          sold: sql`${inventory.sold} + ${line.quantity}`,
        })
        .where(eq(inventory.productId, line.productId));
    }
    const totalCents = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
    const [order] = await tx
      .insert(orders)
      .values({ cartId, email: contact.email, name: contact.name, totalCents })
      .returning({ id: orders.id });
    if (!order) throw new Error("order insert returned nothing");
    await tx.insert(orderLines).values(lines.map((l) => ({ orderId: order.id, ...l })));
    await tx.delete(reservations).where(eq(reservations.cartId, cartId));
    // Units handed to this shopper from a waiting line are claimed: their place in line ends.
    const claimed = await tx
      .delete(waitlistEntries)
      .where(eq(waitlistEntries.offerCartId, cartId))
      .returning({ units: waitlistEntries.offeredUnits });
    await tx
      .update(carts)
      .set({ state: "checked_out", endedAt: sql`now()`, version: sql`${carts.version} + 1` })
      .where(and(eq(carts.id, cartId), eq(carts.state, "active")));
    return { kind: "placed", orderId: order.id, offersClaimed: claimed.reduce((n, c) => n + (c.units ?? 0), 0) };
  });

  if (outcome.kind === "overdue") {
    await releaseCart(cartId, "lazy");
    throw new ShopError("cart_expired", "Your cart expired before the order was placed; its items went back to stock.");
  }
  await forgetCartsInRedis([cartId]).catch((error: Error) =>
    console.error(`[checkout] redis cleanup of cart ${cartId} failed: ${error.message}`),
  );
  const order = await findOrder(outcome.orderId);
  if (!order) throw new Error(`order ${outcome.orderId} vanished`);
  if (outcome.kind === "placed") {
    if (outcome.offersClaimed > 0) holdMetrics.offerClaimed(outcome.offersClaimed);
    await collectPayment({ orderId: order.id, totalCents: order.totalCents, email: contact.email });
  }
  return { order, created: outcome.kind === "placed" };
}
