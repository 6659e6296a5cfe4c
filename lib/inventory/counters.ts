import "server-only";
import { sql } from "drizzle-orm";
import type { Sql, TransactionSql } from "postgres";
import type { Db } from "../db/client";

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

/**
 * Goods received: on_hand and available grow by `add`, unless on_hand would pass `max` (the sum
 * is taken in bigint so the check itself cannot overflow). False when nothing changed.
 */
export async function receiveUnits(tx: TransactionSql, productId: number, add: number, max: number): Promise<boolean> {
  const rows = await tx`
    update inventory set on_hand = on_hand + ${add}, available = available + ${add}
     where product_id = ${productId} and on_hand::bigint + ${add} <= ${max}
    returning product_id`;
  return rows.length > 0;
}

/** Moves `quantity` units from reserved back to available (a hold ended or shrank). */
export async function returnUnits(tx: TransactionSql, productId: number, quantity: number): Promise<void> {
  const [row] = await tx`
    update inventory set available = available + ${quantity}, reserved = reserved - ${quantity}
     where product_id = ${productId} returning product_id`;
  if (!row) throw new Error(`inventory row missing for product ${productId}`);
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
