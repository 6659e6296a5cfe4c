import { config } from "../base/config";
import { ShopError } from "../base/shop-error";
import type { CartLine } from "./cart-types";

/**
 * What one cart may hold (cart_limit): the rules change_lines applies in the database, for the
 * paths that decide in TypeScript (a lone new cart).
 */
export function enforceLimits(lines: readonly CartLine[], current: number, target: number): void {
  const { maxQtyPerLine, maxLines, maxUnitsPerCart } = config();
  if (target > maxQtyPerLine) throw cartLimitError({ maxQtyPerLine });
  if (current === 0 && target > 0 && lines.length >= maxLines) throw cartLimitError({ maxLines });
  const units = lines.reduce((sum, l) => sum + l.quantity, 0) - current + target;
  if (target > current && units > maxUnitsPerCart) throw cartLimitError({ maxUnitsPerCart });
}

/** The cart_limit refusal for the one limit `details` names. */
export function cartLimitError(details: {
  maxQtyPerLine?: number;
  maxLines?: number;
  maxUnitsPerCart?: number;
}): ShopError {
  const { maxQtyPerLine, maxLines, maxUnitsPerCart } = details;
  if (maxQtyPerLine !== undefined) {
    return new ShopError("cart_limit", `At most ${maxQtyPerLine} of one item per cart.`, { maxQtyPerLine });
  }
  if (maxLines !== undefined) {
    return new ShopError("cart_limit", `A cart holds at most ${maxLines} different items.`, { maxLines });
  }
  return new ShopError("cart_limit", `A cart holds at most ${maxUnitsPerCart} items.`, { maxUnitsPerCart });
}
