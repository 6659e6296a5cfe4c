import "server-only";
import type { Sql, TransactionSql } from "postgres";

/**
 * Every change of a product's stock counters (inventory: on_hand, available, reserved, sold) is
 * one of the statements here; nothing else in the code writes them. Conservation (invariant 1:
 * on_hand = available + reserved + sold) holds because each statement moves units between two
 * counters, or grows on_hand with available; the CHECK constraints refuse anything below zero.
 */

/** The largest count a counter column (Postgres `integer`) can hold. */
export const MAX_COUNTER = 2_147_483_647;

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

/** Moves `quantity` units from reserved back to available (a hold ended or shrank). */
export async function returnUnits(tx: TransactionSql, productId: number, quantity: number): Promise<void> {
  const [row] = await tx`
    update inventory set available = available + ${quantity}, reserved = reserved - ${quantity}
     where product_id = ${productId} returning product_id`;
  if (!row) throw new Error(`inventory row missing for product ${productId}`);
}

/** Moves `quantity` held units to sold (checkout). */
export async function sellUnits(tx: TransactionSql, productId: number, quantity: number): Promise<void> {
  const [row] = await tx`
    update inventory set reserved = reserved - ${quantity}, sold = sold + ${quantity}
     where product_id = ${productId} returning product_id`;
  if (!row) throw new Error(`inventory row missing for product ${productId}`);
}

/**
 * Goods received: on_hand and available grow by `add`, unless on_hand would pass MAX_COUNTER (the
 * sum is taken in bigint so the check itself cannot overflow). False when nothing changed.
 */
export async function receiveUnits(tx: TransactionSql, productId: number, add: number): Promise<boolean> {
  const rows = await tx`
    update inventory set on_hand = on_hand + ${add}, available = available + ${add}
     where product_id = ${productId} and on_hand::bigint + ${add} <= ${MAX_COUNTER}
    returning product_id`;
  return rows.length > 0;
}

/**
 * Locks the inventory rows of `productIds` in ascending id order, so two transactions that
 * touch several products always queue in the same order and never deadlock.
 */
export async function lockInventoryInOrder(tx: TransactionSql, productIds: readonly number[]): Promise<void> {
  if (productIds.length < 2) return;
  await tx`select product_id from inventory where product_id = any(${[...productIds]}::int[]) order by product_id for update`;
}

/**
 * Locks the inventory rows of every product the carts hold or were offered, in product order,
 * before their lines and offers go: every change of a product's waiting line happens under its
 * row lock (lib/waitlist/line.ts), so a release that deleted offers first and locked the row
 * after deadlocked with a shopper joining that line.
 */
export async function lockInventoryOfCarts(tx: TransactionSql, cartIds: readonly string[]): Promise<void> {
  await tx`
    select product_id from inventory
     where product_id in (select product_id from reservations where cart_id = any(${[...cartIds]}::uuid[])
                          union
                          select product_id from waitlist_entries where offer_cart_id = any(${[...cartIds]}::uuid[]))
     order by product_id for update`;
}
