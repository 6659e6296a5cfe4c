import "server-only";
import { asc, eq } from "drizzle-orm";
import { countActiveCarts } from "../hold/overdue";
import { db } from "../db/client";
import { inventory, products } from "../db/schema";
import { waitingFor } from "../hold/waiting-count";

export type InventoryRow = {
  id: number;
  slug: string;
  onHand: number;
  available: number;
  reserved: number;
  sold: number;
  /** Shoppers in line for it. */
  waiting: number;
};

/** Every product's counters, or one product's (an empty list when it does not exist). */
export async function inventoryRows(productId?: number): Promise<InventoryRow[]> {
  return db()
    .select({
      id: products.id,
      slug: products.slug,
      onHand: inventory.onHand,
      available: inventory.available,
      reserved: inventory.reserved,
      sold: inventory.sold,
      waiting: waitingFor(inventory.productId),
    })
    .from(products)
    .innerJoin(inventory, eq(inventory.productId, products.id))
    .where(productId === undefined ? undefined : eq(products.id, productId))
    .orderBy(asc(products.id));
}

/** The ops view: every product's counters, and how many carts are live or overdue. */
export async function inventoryReport(): Promise<{
  products: InventoryRow[];
  activeCarts: number;
  overdueCarts: number;
}> {
  const [rows, carts] = await Promise.all([inventoryRows(), countActiveCarts()]);
  return { products: rows, activeCarts: carts.live, overdueCarts: carts.overdue };
}
