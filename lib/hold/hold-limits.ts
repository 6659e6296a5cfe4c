import "server-only";
import { ShopError } from "../base/shop-error";

/**
 * Invariant 9's refusal (hold_limit): of one product (its per-shopper limit) or in all
 * (`maxUnitsPerClient`). The ledger function change_lines decides the rule in the database and
 * answers these details; the sentence starts with the limit, as a shop states it.
 */
export function holdLimitError(details: {
  held?: number;
  perShopperLimit?: number;
  maxUnitsPerClient?: number;
}): ShopError {
  const { held = 0, perShopperLimit, maxUnitsPerClient } = details;
  return perShopperLimit !== undefined
    ? new ShopError(
        "hold_limit",
        held > 0
          ? `Limit ${perShopperLimit} per shopper: you already hold ${held} of this item in your carts.`
          : `Limit ${perShopperLimit} per shopper.`,
        { held, perShopperLimit },
      )
    : new ShopError(
        "hold_limit",
        `You already hold ${held} items in your carts; one shopper can hold ${maxUnitsPerClient}.`,
        { held, maxUnitsPerClient },
      );
}
