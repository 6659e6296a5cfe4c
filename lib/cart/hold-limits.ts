import "server-only";
import { ShopError } from "../shop-error";

/** pg_advisory_xact_lock's first key for a client's lock (its second: hashtext(client key)). */
export const CLIENT_LOCK_NAMESPACE = 9;

/** What one client's live carts hold: units of one product, and units in all. */
export type Holding = { product: number; total: number };
type HoldCaps = { maxQtyPerLine: number; maxUnitsPer: number };

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
