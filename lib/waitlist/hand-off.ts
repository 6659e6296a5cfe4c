import "server-only";
import { log, reason } from "../log";
import type { TransactionSql } from "postgres";
import { newCartId } from "../cart/cart-id";
import type { CartSnapshot } from "../cart/cart-types";
import { ledgerSnapshots } from "../cart/ledger-snapshot";
import { writeCartToRedis } from "../cart/redis-cart";
import { config } from "../config";
import { holdUnits } from "../inventory/counters";
import { holdMetrics } from "../metrics/hold-metrics";
import { publishOffers } from "./offer-events";

/** Units of a product given to a shopper in line, as a hold in their cart. */
export type Offer = { entryId: string; productId: number; waiterId: string; cartId: string; units: number };

/** What a freeing transaction hands to the line: the offers, and the carts to write to Redis. */
export type HandOff = { offers: Offer[]; carts: CartSnapshot[] };

export const NO_HAND_OFF: HandOff = { offers: [], carts: [] };

type Waiting = {
  id: string; // bigserial: postgres.js reads int8 as a string
  product_id: number;
  waiter_id: string;
  client_key: string;
  quantity: number;
  available: number;
};

/**
 * Invariant 8, the line comes first: gives the units now available of `productIds` to the first
 * shoppers in their lines, in order, as holds in their carts. It runs inside every transaction
 * that frees units (a release, a smaller line, a restock), after the units went back to
 * `available` and while that transaction holds the products' inventory row locks, so nobody else
 * ever sees them available; it does nothing for a product without a line.
 *
 * Each waiter gets what is left up to what they asked for (a partial offer ends their wait: the
 * rest of the line is not kept waiting behind a unit that may never come). The hold goes into the
 * waiter's active cart, whose deadline becomes at least now + OFFER_TTL_SECONDS, or into a new
 * cart. A waiter's cart that is locked right now (its shopper is changing it) is not waited for,
 * since that transaction may be waiting for the inventory row this one holds: the offer then gets
 * a cart of its own.
 */
export async function handOffFreed(tx: TransactionSql, productIds: readonly number[]): Promise<HandOff> {
  if (productIds.length === 0) return NO_HAND_OFF;
  const offers: Offer[] = [];
  // A waiter at their cap leaves the line without units: then the next ones are read, until the
  // units or the line run out.
  for (let round = 0; round < 100 && (await offerRound(tx, productIds, offers)); round += 1);
  return offers.length === 0
    ? NO_HAND_OFF
    : { offers, carts: await snapshotsOf(tx, [...new Set(offers.map((o) => o.cartId))]) };
}

/** One pass over the first waiters (as many as units are left); true when some left the line unserved. */
async function offerRound(tx: TransactionSql, productIds: readonly number[], offers: Offer[]): Promise<boolean> {
  const firsts = await tx<Waiting[]>`
    select w.id, w.product_id, w.waiter_id, w.client_key, w.quantity, i.available
      from inventory i
      cross join lateral (
        select id, product_id, waiter_id, client_key, quantity, joined_at from waitlist_entries
         where product_id = i.product_id and offer_cart_id is null
         order by joined_at, id
         limit i.available) w
     where i.product_id = any(${[...productIds]}::int[]) and i.available > 0
     order by w.product_id, w.joined_at, w.id`;
  if (firsts.length === 0) return false;

  const { offerTtlSeconds, maxQtyPerLine, maxUnitsPerCart } = config();
  const left = new Map<number, number>();
  let dropped = false;
  for (const entry of firsts) {
    const available = left.get(entry.product_id) ?? entry.available;
    if (available <= 0) continue;
    const held = await heldBy(tx, entry);
    const units = Math.min(entry.quantity, available, maxQtyPerLine - held.product, maxUnitsPerCart - held.total);
    if (units <= 0) {
      // They already hold as many as one shopper may: their place goes to the next in line.
      await tx`delete from waitlist_entries where id = ${entry.id}`;
      dropped = true;
      continue;
    }
    const cartId = await waitersCart(tx, entry, offerTtlSeconds);
    const [taken] = await holdUnits(tx, entry.product_id, units);
    if (!taken) throw new Error(`hand-off of product ${entry.product_id} found fewer units than it counted`);
    await tx`
      insert into reservations (cart_id, product_id, quantity) values (${cartId}, ${entry.product_id}, ${units})
      on conflict (cart_id, product_id) do update set quantity = reservations.quantity + excluded.quantity`;
    await tx`update waitlist_entries set offer_cart_id = ${cartId}, offered_units = ${units} where id = ${entry.id}`;
    left.set(entry.product_id, available - units);
    offers.push({ entryId: entry.id, productId: entry.product_id, waiterId: entry.waiter_id, cartId, units });
  }
  return dropped;
}

/**
 * Invariant 9: what the waiter's client already holds, of the product and in all (every hold of
 * the product needs the inventory row this transaction holds, so that sum cannot move under us;
 * the total could grow by a concurrent hold of another product, which the client's lock would
 * stop, but taking it here, after the row lock, would break the lock order). With per-client caps
 * off, what the waiter's own carts hold, so a cart never passes the per-cart limits.
 */
async function heldBy(tx: TransactionSql, entry: Waiting): Promise<{ product: number; total: number }> {
  const [held] = config().holdLimits
    ? await tx<{ product: number; total: number }[]>`
        select coalesce(sum(r.quantity) filter (where r.product_id = ${entry.product_id}), 0)::int as product,
               coalesce(sum(r.quantity), 0)::int as total
          from carts c join reservations r on r.cart_id = c.id
         where c.client_key = ${entry.client_key} and c.client_key <> '' and c.state = 'active'`
    : await tx<{ product: number; total: number }[]>`
        select coalesce(sum(r.quantity) filter (where r.product_id = ${entry.product_id}), 0)::int as product,
               coalesce(sum(r.quantity), 0)::int as total
          from carts c join reservations r on r.cart_id = c.id
         where c.waiter_id = ${entry.waiter_id} and c.state = 'active'`;
  return held ?? { product: 0, total: 0 };
}

/**
 * The waiter's active cart, its deadline moved to at least now + the offer's time; or a new one.
 * Not a cart that holds something others wait for (the offer's deadline would keep it from them,
 * as an extension may not), nor one with no room for another line.
 */
async function waitersCart(tx: TransactionSql, entry: Waiting, offerTtlSeconds: number): Promise<string> {
  const [existing] = await tx<{ id: string }[]>`
    update carts set expires_at = greatest(expires_at, now() + make_interval(secs => ${offerTtlSeconds})),
                     version = version + 1
     where id = (select c.id from carts c
                  where c.waiter_id = ${entry.waiter_id} and c.state = 'active' and c.expires_at > now()
                    and not exists (
                      select 1 from reservations r
                        join waitlist_entries w on w.product_id = r.product_id and w.offer_cart_id is null
                       where r.cart_id = c.id)
                    and (select count(*) from reservations r where r.cart_id = c.id and r.product_id <> ${entry.product_id})
                        < ${config().maxLines}
                  order by c.created_at desc limit 1
                  for update of c skip locked)
    returning id`;
  if (existing) return existing.id;
  const id = newCartId();
  await tx`
    insert into carts (id, client_key, waiter_id, expires_at)
    values (${id}, ${entry.client_key}, ${entry.waiter_id}, now() + make_interval(secs => ${offerTtlSeconds}))`;
  return id;
}

/** The carts as committed by this transaction, to write to Redis after commit. */
const snapshotsOf = async (tx: TransactionSql, cartIds: string[]): Promise<CartSnapshot[]> =>
  cartIds.length === 0 ? [] : ledgerSnapshots(tx, tx`c.id = any(${cartIds}::uuid[])`);

/**
 * After the freeing transaction committed: the carts that received offers go to Redis, and each
 * waiter's open pages hear of their offer (lib/waitlist/offer-events.ts). Best effort: a cart
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
