import "server-only";
import { asc, eq } from "drizzle-orm";
import { db } from "../db/client";
import { UUID } from "../base/ids";
import { orderLines, orders, products } from "../db/schema";
import type { CartItem } from "../hold/cart-types";

/** A line of an order: the same shape as a cart's line, at the price of the moment it was placed. */
export type OrderItem = CartItem;
export type OrderView = {
  id: string;
  /** What a shopper reads and quotes: "3F2A9C1B", the id's first 8 hex digits. */
  number: string;
  name: string;
  totalCents: number;
  createdAt: string;
  items: OrderItem[];
};

/** An order's short number for people; the full id stays the key. */
export const orderNumber = (orderId: string): string => orderId.slice(0, 8).toUpperCase();

export async function findOrder(orderId: string): Promise<OrderView | null> {
  if (!UUID.test(orderId)) return null;
  const [order] = await db()
    .select({ id: orders.id, name: orders.name, totalCents: orders.totalCents, createdAt: orders.createdAt })
    .from(orders)
    .where(eq(orders.id, orderId));
  if (!order) return null;
  const items = await db()
    .select({
      productId: orderLines.productId,
      slug: products.slug,
      name: products.name,
      imageUrl: products.imageUrl,
      quantity: orderLines.quantity,
      unitPriceCents: orderLines.unitPriceCents,
    })
    .from(orderLines)
    .innerJoin(products, eq(products.id, orderLines.productId))
    .where(eq(orderLines.orderId, orderId))
    .orderBy(asc(orderLines.productId));
  return { ...order, number: orderNumber(order.id), createdAt: order.createdAt.toISOString(), items };
}
