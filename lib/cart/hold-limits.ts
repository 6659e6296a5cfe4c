import "server-only";
import { ShopError } from "../shop-error";

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
    throw holdLimitError({ held: holding.product, maxQtyPerLine: caps.maxQtyPerLine });
  }
  if (holding.total + more > caps.maxUnitsPer) {
    throw holdLimitError({ held: holding.total, maxUnitsPerClient: caps.maxUnitsPer });
  }
}

/**
 * The hold_limit refusal: of one item (`maxQtyPerLine`) or in all (`maxUnitsPerClient`). The
 * ledger function change_lines decides the same rule in the database and answers these details.
 */
export function holdLimitError(details: {
  held?: number;
  maxQtyPerLine?: number;
  maxUnitsPerClient?: number;
}): ShopError {
  const { held = 0, maxQtyPerLine, maxUnitsPerClient } = details;
  return maxQtyPerLine !== undefined
    ? new ShopError(
        "hold_limit",
        `You already hold ${held} of this item in your carts; one shopper can hold ${maxQtyPerLine}.`,
        { held, maxQtyPerLine },
      )
    : new ShopError(
        "hold_limit",
        `You already hold ${held} items in your carts; one shopper can hold ${maxUnitsPerClient}.`,
        { held, maxUnitsPerClient },
      );
}
