import "server-only";
import { sql } from "drizzle-orm";
import { config } from "../config";
import type { DbTx } from "../inventory/counters";
import { ShopError } from "../errors";

/** What one client's live carts hold: units of one product, and units in all. */
export type Holding = { product: number; total: number };
export type HoldCaps = { maxQtyPerLine: number; maxUnitsPer: number };

// Advisory locks are keyed (namespace, key); this namespace is "a client's holds".
const CLIENT_LOCK_NAMESPACE = 9;

/**
 * Invariant 9: refuses `more` units when they would take a client past what one shopper may
 * hold across all of its carts. The per-cart limits (`cart_limit`) are checked before this.
 */
export function assertWithinCaps(holding: Holding, more: number, caps: HoldCaps): void {
  if (more <= 0) return;
  if (holding.product + more > caps.maxQtyPerLine) {
    throw new ShopError(
      "hold_limit",
      `You already hold ${holding.product} of this item in your carts; one shopper can hold ${caps.maxQtyPerLine}.`,
      { held: holding.product, maxQtyPerLine: caps.maxQtyPerLine },
    );
  }
  if (holding.total + more > caps.maxUnitsPer) {
    throw new ShopError(
      "hold_limit",
      `You already hold ${holding.total} items in your carts; one shopper can hold ${caps.maxUnitsPer}.`,
      { held: holding.total, maxUnitsPerClient: caps.maxUnitsPer },
    );
  }
}

/**
 * Inside a hold's transaction: waits for the client's other holds in flight to commit (an
 * advisory lock per client, held to commit), then checks the caps against what its live carts
 * hold now. The lock is what makes 40 simultaneous carts of one client add up: without it each
 * would read the others' holds as not yet there.
 */
export async function assertClientMayHold(tx: DbTx, client: string, productId: number, more: number): Promise<void> {
  const { holdLimits, maxQtyPerLine, maxUnitsPerCart } = config();
  if (!holdLimits || more <= 0) return;
  await tx.execute(sql`select pg_advisory_xact_lock(${CLIENT_LOCK_NAMESPACE}, hashtext(${client}))`);
  // A statement of its own, so its snapshot is taken after the lock was granted.
  const [holding] = await tx.execute<Holding>(sql`
    select coalesce(sum(r.quantity) filter (where r.product_id = ${productId}), 0)::int as product,
           coalesce(sum(r.quantity), 0)::int as total
      from carts c join reservations r on r.cart_id = c.id
     where c.client_key = ${client} and c.state = 'active' and c.expires_at > now()`);
  assertWithinCaps(holding ?? { product: 0, total: 0 }, more, { maxQtyPerLine, maxUnitsPer: maxUnitsPerCart });
}
