import "server-only";
import { config } from "../base/config";
import { pg } from "../db/client";
import { insufficientStock, notReleased, productArchived, ShopError } from "../base/shop-error";
import { afterBatch } from "./change-lines";
import { enforceLimits } from "./cart-limits";
import { holdUnits } from "./counters";
import { deadlineColumns } from "./deadline-sql";
import type { Applied } from "./line-change";
import { unreleased } from "./unreleased";

/**
 * A lone new cart (no batch to share, no per-client caps to read first): one conditional
 * statement, one round trip. It holds the units, and only if that succeeded creates the cart
 * and its reservation.
 */
export async function holdInNewCart(
  cartId: string,
  client: string,
  productId: number,
  quantity: number,
): Promise<Applied> {
  const { cartTtlSeconds } = config();
  enforceLimits([], 0, quantity);
  const [row] = await pg()<
    { available: number | null; expires_at_ms: number | null; ttl_ms: number | null; known: boolean }[]
  >`
    with held as (${holdUnits(pg(), productId, quantity)}),
    cart as (
      insert into carts (id, client_key, expires_at)
      select ${cartId}, ${client}, now() + make_interval(secs => ${cartTtlSeconds}) from held
      returning expires_at
    ),
    line as (insert into reservations (cart_id, product_id, quantity) select ${cartId}, ${productId}, ${quantity} from cart)
    select (select available from held) as available,
           ${deadlineColumns(pg(), pg()`cart.expires_at`)},
           exists (select 1 from inventory where product_id = ${productId}) as known
      from (select 1) one left join cart on true`;
  if (!row?.known) throw new ShopError("unknown_product", "No such product.");
  if (row.available === null || row.expires_at_ms === null) {
    // Refused: how many are left is read by a statement of its own, since this one's snapshot
    // predates the holds it waited behind.
    const [left] = await pg()<
      { available: number; reserved: number; not_open_until: string | null; archived: boolean }[]
    >`
      select i.available, i.reserved, case when p.opened_at is null then p.release_at end as not_open_until,
             p.archived_at is not null as archived
        from inventory i join products p on p.id = i.product_id where i.product_id = ${productId}`;
    if (left?.archived) throw productArchived();
    if (left?.not_open_until) {
      const releaseAt = new Date(left.not_open_until);
      unreleased.refused(productId, releaseAt.getTime());
      throw notReleased(releaseAt);
    }
    throw insufficientStock(left?.available ?? 0, left?.reserved ?? 0);
  }
  afterBatch(productId, row.available);
  const change = { productId, available: row.available };
  return {
    cartId,
    version: 1,
    expiresAtMs: Number(row.expires_at_ms),
    ttlMs: Number(row.ttl_ms),
    extensionsUsed: 0,
    lines: [{ productId, quantity }],
    previousQuantity: 0,
    lineQuantity: quantity,
    change,
  };
}
