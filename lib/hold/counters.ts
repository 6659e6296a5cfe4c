import "server-only";
import type { Sql, TransactionSql } from "postgres";

/**
 * Every change of a product's stock counters (inventory: on_hand, available, reserved, sold) is
 * a statement here or in the ledger's SQL functions (drizzle/0006_hot_row_functions.sql:
 * change_lines, release_carts, hand_off_freed, receive_stock, place_order); nothing else writes
 * them. Conservation (invariant 1: on_hand = available + reserved + sold) holds because each
 * statement moves units between two counters, or grows on_hand with available; the CHECK
 * constraints refuse anything below zero. The functions lock a product's row and commit in one
 * statement, so no JavaScript runs while it is locked (invariant 12).
 */

/** The largest count a counter column (Postgres `integer`) can hold. */
export const MAX_COUNTER = 2_147_483_647;

/**
 * The conditional hold: moves `quantity` units from available to reserved only if that many
 * are available and the product is on sale (not archived, nor a drop before it opened, invariant 11),
 * returning the new `available` (no row when there were not enough). Invariant 3
 * (no oversell): whatever was decided before, this condition and the CHECK constraints have the
 * last word. A postgres.js fragment, so a lone new cart's statement runs it (lib/hold/lone-new-cart.ts).
 */
export const holdUnits = (pg: Sql | TransactionSql, productId: number, quantity: number) => pg`
  update inventory set available = available - ${quantity}, reserved = reserved + ${quantity}
   where product_id = ${productId} and available >= ${quantity}
     and not exists (select 1 from products p where p.id = ${productId}
                        and (p.archived_at is not null or (p.release_at is not null and p.opened_at is null)))
  returning available`;
