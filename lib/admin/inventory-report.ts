import "server-only";
import { asc, eq, sql } from "drizzle-orm";
import { waitingFor } from "../waitlist/waiting-count";
import { db, pg } from "../db/client";
import { carts, inventory, products } from "../db/schema";
import { ShopError } from "../errors";
import { receiveUnits } from "../inventory/counters";
import { publishStockChanges } from "../inventory/stock-events";
import { announceHandOff, handOffFreed, NO_HAND_OFF } from "../waitlist/hand-off";

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

const counters = {
  onHand: inventory.onHand,
  available: inventory.available,
  reserved: inventory.reserved,
  sold: inventory.sold,
  waiting: waitingFor(inventory.productId),
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

/**
 * Goods received: on_hand and available grow together, so conservation holds; when shoppers wait
 * for the product, the new units go to them first, in the same transaction (invariant 8).
 */
export async function receiveStock(productId: number, add: number): Promise<InventoryRow> {
  const { row, handOff } = await pg().begin(async (tx) => {
    if (!(await receiveUnits(tx, productId, add, MAX_COUNTER))) return { row: null, handOff: NO_HAND_OFF };
    const handOff = await handOffFreed(tx, [productId]);
    const [row] = await tx<InventoryRow[]>`
      select i.product_id as id, p.slug, i.on_hand as "onHand", i.available, i.reserved, i.sold,
             (select count(*)::int from waitlist_entries w
               where w.product_id = i.product_id and w.offer_cart_id is null) as waiting
        from inventory i join products p on p.id = i.product_id where i.product_id = ${productId}`;
    return { row, handOff };
  });
  if (!row) throw await whyNotReceived(productId);
  await Promise.all([publishStockChanges([{ productId, available: row.available }]), announceHandOff(handOff)]);
  return row;
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
