import "server-only";
import { pg } from "../db/client";

/**
 * Schedules, moves or clears a product's drop (invariant 11), under the product's row lock like
 * every change of its line. A time (past or future) is a new release: nobody may hold the product
 * until it has passed and the worker has drawn the entrants and offered them the units (the
 * draw's record of an earlier release is kept). Null means "on sale now": a drop that has not
 * opened opens at once (its entrants are still drawn first); one that opened stays as it is.
 * Returns false for an unknown product.
 */
export async function setReleaseAt(productId: number, releaseAt: Date | null): Promise<boolean> {
  const rows =
    releaseAt === null
      ? await pg()`
          with locked as (select product_id from inventory where product_id = ${productId} for update)
          update products set release_at = case when opened_at is null then least(release_at, now()) else release_at end
           where id = (select product_id from locked)
          returning id`
      : await pg()`
          with locked as (select product_id from inventory where product_id = ${productId} for update)
          update products set release_at = ${releaseAt.toISOString()}::timestamptz, drawn_at = null, opened_at = null
           where id = (select product_id from locked)
          returning id`;
  return rows.length > 0;
}
