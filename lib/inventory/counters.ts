import "server-only";
import { and, eq, gte, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { inventory } from "../db/schema";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbTx = Db | Tx;

/**
 * Moves `quantity` units from available to reserved, only if that many are available.
 * Invariant 3 (no oversell): one conditional statement; concurrent holds queue on the row
 * lock and each re-checks `available` after the one before it committed.
 * Returns the new available count, or null when there were not enough units.
 */
export async function holdUnits(tx: DbTx, productId: number, quantity: number): Promise<number | null> {
  const [row] = await tx
    .update(inventory)
    .set({ available: sql`${inventory.available} - ${quantity}`, reserved: sql`${inventory.reserved} + ${quantity}` })
    .where(and(eq(inventory.productId, productId), gte(inventory.available, quantity)))
    .returning({ available: inventory.available });
  return row ? row.available : null;
}

/** Moves `quantity` units from reserved back to available. Returns the new available count. */
export async function unholdUnits(tx: DbTx, productId: number, quantity: number): Promise<number> {
  const [row] = await tx
    .update(inventory)
    .set({ available: sql`${inventory.available} + ${quantity}`, reserved: sql`${inventory.reserved} - ${quantity}` })
    .where(eq(inventory.productId, productId))
    .returning({ available: inventory.available });
  if (!row) throw new Error(`inventory row missing for product ${productId}`);
  return row.available;
}

/** Current available count, or null when the product does not exist. */
export async function availableOf(tx: DbTx, productId: number): Promise<number | null> {
  const [row] = await tx
    .select({ available: inventory.available })
    .from(inventory)
    .where(eq(inventory.productId, productId));
  return row ? row.available : null;
}

/**
 * Locks the inventory rows of `productIds` in ascending id order, so two transactions that
 * touch several products always queue in the same order and never deadlock.
 */
export async function lockInventoryInOrder(tx: DbTx, productIds: readonly number[]): Promise<void> {
  if (productIds.length < 2) return;
  await tx.execute(
    sql`select product_id from inventory where product_id in ${[...productIds]} order by product_id for update`,
  );
}
