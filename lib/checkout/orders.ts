import "server-only";
import { asc, eq } from "drizzle-orm";
import { db } from "../db/client";
import { orderLines, orders, products } from "../db/schema";

export type OrderItem = { productId: number; slug: string; name: string; quantity: number; unitPriceCents: number };
export type OrderView = { id: string; name: string; totalCents: number; createdAt: string; items: OrderItem[] };

export async function findOrder(orderId: string): Promise<OrderView | null> {
  if (!/^[0-9a-f-]{36}$/.test(orderId)) return null;
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
      quantity: orderLines.quantity,
      unitPriceCents: orderLines.unitPriceCents,
    })
    .from(orderLines)
    .innerJoin(products, eq(products.id, orderLines.productId))
    .where(eq(orderLines.orderId, orderId))
    .orderBy(asc(orderLines.productId));
  return { ...order, createdAt: order.createdAt.toISOString(), items };
}
