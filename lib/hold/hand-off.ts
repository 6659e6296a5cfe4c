import "server-only";
import { log, reason } from "../base/log";
import type { CartSnapshot } from "./cart-types";
import { ledgerSnapshots } from "./ledger-snapshot";
import { writeCartToRedis } from "./redis-cart";
import { pg } from "../db/client";
import { holdMetrics } from "./hold-metrics";
import { publishOffers } from "./offer-events";

/** Units of a product given to a shopper in line, as a hold in their cart. */
export type Offer = { entryId: string; productId: number; waiterId: string; cartId: string; units: number };

/** What a freeing transaction hands to the line: the offers, and the carts to write to Redis. */
export type HandOff = { offers: Offer[]; carts: CartSnapshot[] };

export const NO_HAND_OFF: HandOff = { offers: [], carts: [] };

/**
 * Invariant 8, the line comes first: the units a statement frees go to the first shoppers in
 * their lines, in order, as holds in their carts, inside that same statement (the SQL function
 * hand_off_freed, drizzle/0006_hot_row_functions.sql, called by change_lines, release_carts and
 * receive_stock while they hold the products' rows). This is the work after its commit: the
 * offers it made, with the carts that received them as the ledger has them now, to write to Redis.
 */
export async function handOffOf(offers: readonly Offer[]): Promise<HandOff> {
  if (offers.length === 0) return NO_HAND_OFF;
  const cartIds = [...new Set(offers.map((o) => o.cartId))];
  return { offers: [...offers], carts: await ledgerSnapshots(pg(), pg()`c.id = any(${cartIds}::uuid[])`) };
}

/**
 * After the freeing transaction committed: the carts that received offers go to Redis, and each
 * waiter's open pages hear of their offer (lib/hold/offer-events.ts). Best effort: a cart
 * Redis missed is rebuilt from the ledger on its next read, and a page that missed the notice
 * sees the offer on its next load.
 */
export async function announceHandOff(handOff: HandOff): Promise<void> {
  if (handOff.offers.length === 0) return;
  await Promise.all([
    ...handOff.carts.map((cart) =>
      writeCartToRedis(cart).catch((error: Error) =>
        log.warn("hand_off_redis_write_failed", { cart: cart.cartId, error: reason(error) }),
      ),
    ),
    publishOffers(handOff.offers),
  ]);
  for (const offer of handOff.offers) {
    holdMetrics.offerMade(offer.units);
    log.info("offer", { ...offer });
  }
}
