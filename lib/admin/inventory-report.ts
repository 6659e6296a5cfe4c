import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { db } from "../db/client";
import { carts, inventory, products } from "../db/schema";
import { ShopError } from "../errors";
import { publishStockChanges } from "../inventory/stock-events";

export type InventoryRow = {
  id: number;
  slug: string;
  onHand: number;
  available: number;
  reserved: number;
  sold: number;
};

const counters = {
  onHand: inventory.onHand,
  available: inventory.available,
  reserved: inventory.reserved,
  sold: inventory.sold,
};

/** The ops view: every product's counters, and how many carts are live or overdue. */
export async function inventoryReport(): Promise<{
  products: InventoryRow[];
  activeCarts: number;
  overdueCarts: number;
}> {
  const [rows, [cartCounts]] = await Promise.all([
    db()
      .select({ id: products.id, slug: products.slug, ...counters })
      .from(products)
      .innerJoin(inventory, eq(inventory.productId, products.id))
      .orderBy(asc(products.id)),
    db()
      .select({
        activeCarts: sql<number>`count(*) filter (where ${carts.expiresAt} > now())::int`,
        overdueCarts: sql<number>`count(*) filter (where ${carts.expiresAt} <= now())::int`,
      })
      .from(carts)
      .where(eq(carts.state, "active")),
  ]);
  return { products: rows, activeCarts: cartCounts?.activeCarts ?? 0, overdueCarts: cartCounts?.overdueCarts ?? 0 };
}

/** The largest count a counter column (Postgres `integer`) can hold. */
export const MAX_COUNTER = 2_147_483_647;

/** Goods received: on_hand and available grow together, so conservation holds. */
export async function receiveStock(productId: number, add: number): Promise<InventoryRow> {
  // on_hand bounds every other counter, so on_hand + add fitting is all there is to check;
  // the sum is taken in bigint so the check itself cannot overflow.
  const [row] = await db()
    .update(inventory)
    .set({ onHand: sql`${inventory.onHand} + ${add}`, available: sql`${inventory.available} + ${add}` })
    .where(and(eq(inventory.productId, productId), sql`${inventory.onHand}::bigint + ${add} <= ${MAX_COUNTER}`))
    .returning({ id: inventory.productId, ...counters });
  if (!row) throw await whyNotReceived(productId);
  const [product] = await db().select({ slug: products.slug }).from(products).where(eq(products.id, productId));
  await publishStockChanges([{ productId, available: row.available }]);
  return { ...row, slug: product?.slug ?? "" };
}

async function whyNotReceived(productId: number): Promise<ShopError> {
  const [current] = await db()
    .select({ onHand: inventory.onHand })
    .from(inventory)
    .where(eq(inventory.productId, productId));
  if (!current) return new ShopError("unknown_product", "No such product.");
  const room = MAX_COUNTER - current.onHand;
  return new ShopError("invalid_request", `add: at most ${room} more units fit in this product's stock.`, {
    maxAdd: room,
  });
}
