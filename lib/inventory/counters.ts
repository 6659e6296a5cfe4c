import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Sql, TransactionSql } from "postgres";
import type { Db } from "../db/client";
import { inventory } from "../db/schema";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbTx = Db | Tx;

/**
 * The conditional hold: moves `quantity` units from available to reserved only if that many
 * are available, returning the new `available` (no row when there were not enough); a negative
 * quantity gives units back. Invariant 3 (no oversell): whatever was decided before, this
 * condition and the CHECK constraints have the last word. A postgres.js fragment, so the
 * statement that records the holds runs it too (lib/cart/line-change.ts).
 */
export const holdUnits = (pg: Sql | TransactionSql, productId: number, quantity: number) => pg`
  update inventory set available = available - ${quantity}, reserved = reserved + ${quantity}
   where product_id = ${productId} and available >= ${quantity}
  returning available`;

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
