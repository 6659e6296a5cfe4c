import "server-only";
import type { TransactionSql } from "postgres";
import { pg } from "../db/client";
import { log, reason } from "../log";
import { within } from "../timeout";
import { holdMetrics } from "../metrics/hold-metrics";
import { lockInventoryOfCarts, returnUnits } from "../inventory/counters";
import { publishStockChanges, type AvailableChange } from "../inventory/stock-events";
import { announceHandOff, handOffFreed, type HandOff } from "../waitlist/hand-off";
import { chooseOverdue, chooseOverdueHoldersOf, overdue } from "./overdue";
import { forgetCartsInRedis } from "./redis-cart";

/** Who ended the hold: the expiry event, the sweeper, a request that found it overdue, the shopper. */
export type ReleasePath = "event" | "sweep" | "lazy" | "empty" | "compensate";

export type Released = {
  cartId: string;
  path: ReleasePath;
  units: number;
  /** How long after `expires_at` the units came back (negative when emptied early). */
  lagMs: number;
};

/** What a release transaction did, for the work after its commit. */
type ReleaseOutcome = {
  released: Released[];
  changes: AvailableChange[];
  handOff: HandOff;
  /** Units of offers that ended unclaimed with these carts (they went on to the next in line). */
  offersPassed: number;
};

const NOTHING: ReleaseOutcome = { released: [], changes: [], handOff: { offers: [], carts: [] }, offersPassed: 0 };
const REDIS_AFTER_RELEASE_MS = 500;

/** Release only carts past their deadline, or (`early`) any active cart: emptying, undo. */
type Due = "overdue" | "early";

/**
 * Ends the given carts and returns their held units to stock, inside the caller's transaction.
 * Only carts still `active` (and, unless `early`, past `expires_at`) change.
 *
 * Invariant 5 (exactly once): `active -> expired` is a conditional update of the cart row; a
 * concurrent caller waits on the row lock, re-reads the row, finds it no longer active and
 * changes nothing. Invariant 6: checkout takes the same row lock and requires `active`, so
 * exactly one of them wins. Invariant 8: units of a product with a waiting line go to the line
 * in this same transaction (lib/waitlist/hand-off.ts), never through `available` to anyone else.
 */
async function releaseInTx(
  tx: TransactionSql,
  cartIds: readonly string[],
  path: ReleasePath,
  due: Due,
): Promise<ReleaseOutcome> {
  if (cartIds.length === 0) return NOTHING;
  const ended = await tx<{ id: string; lag_ms: number }[]>`
    update carts c set state = 'expired', ended_at = now(), version = c.version + 1, release_path = ${path}
      from (select id from carts where id = any(${[...cartIds]}::uuid[]) order by id for update) locked
     where c.id = locked.id and c.state = 'active' ${due === "overdue" ? tx`and ${overdue(tx, "c")}` : tx``}
    returning c.id, floor(extract(epoch from now() - c.expires_at) * 1000)::int as lag_ms`;
  if (ended.length === 0) return NOTHING;
  const endedIds = ended.map((e) => e.id);
  await lockInventoryOfCarts(tx, endedIds);

  // The lines go, and the carts remember them: the shopper is told what went back and may hold
  // it again (lib/cart/hold-state.ts). An offer among them ends unclaimed: its place in line is
  // given up, and its units go on to the next in line below.
  const lines = await tx<{ cart_id: string; product_id: number; quantity: number; passed_units: number }[]>`
    with gone as (delete from reservations where cart_id = any(${endedIds}::uuid[]) returning cart_id, product_id, quantity),
         remembered as (
           update carts c set released_lines = x.lines
             from (select cart_id, jsonb_agg(jsonb_build_object('product_id', product_id, 'quantity', quantity)
                                             order by product_id) as lines
                     from gone group by cart_id) x
            where c.id = x.cart_id),
         passed as (delete from waitlist_entries where offer_cart_id = any(${endedIds}::uuid[]) returning offered_units)
    select cart_id, product_id, quantity, (select coalesce(sum(offered_units), 0)::int from passed) as passed_units
      from gone`;

  const unitsByProduct = new Map<number, number>();
  const unitsByCart = new Map<string, number>();
  for (const l of lines) {
    unitsByProduct.set(l.product_id, (unitsByProduct.get(l.product_id) ?? 0) + l.quantity);
    unitsByCart.set(l.cart_id, (unitsByCart.get(l.cart_id) ?? 0) + l.quantity);
  }
  const productIds = [...unitsByProduct.keys()].sort((a, b) => a - b);
  for (const productId of productIds) await returnUnits(tx, productId, unitsByProduct.get(productId) ?? 0);
  const handOff = await handOffFreed(tx, productIds);
  const changes = await availableOf(tx, productIds);
  const released = ended.map(({ id, lag_ms }) => ({
    cartId: id,
    path,
    units: unitsByCart.get(id) ?? 0,
    lagMs: lag_ms,
  }));
  return { released, changes, handOff, offersPassed: lines[0]?.passed_units ?? 0 };
}

const availableOf = async (tx: TransactionSql, productIds: number[]): Promise<AvailableChange[]> =>
  productIds.length === 0
    ? []
    : (
        await tx<{ product_id: number; available: number }[]>`
          select product_id, available from inventory where product_id = any(${productIds}::int[]) order by product_id`
      ).map((r) => ({ productId: r.product_id, available: r.available }));

/**
 * After Postgres committed: drop the ended carts' Redis keys, write the carts that received
 * offers, announce the stock and the offers. Best effort, and bounded: a slow or unreachable
 * Redis (a cluster queues commands while it is down) must never hold up the sweeper, whose
 * Postgres work is already committed; Redis follows the ledger on the next read.
 */
async function afterRelease(outcome: ReleaseOutcome): Promise<void> {
  const cartIds = outcome.released.map((r) => r.cartId);
  const redisWork = Promise.all([
    cartIds.length > 0
      ? forgetCartsInRedis(cartIds).catch((error: unknown) =>
          // Harmless: the keys expire by their own TTL and the tombstone only guards late writes.
          log.warn("release_redis_cleanup_failed", { carts: cartIds.length, error: reason(error) }),
        )
      : undefined,
    publishStockChanges(outcome.changes),
    announceHandOff(outcome.handOff),
  ]);
  await within(REDIS_AFTER_RELEASE_MS, redisWork).catch(() => {});
}

/**
 * The one shape of every release: choose carts and release them in one transaction, then (after
 * commit) drop their Redis keys and announce the stock.
 */
async function releaseChosen(
  path: ReleasePath,
  due: Due,
  choose: (tx: TransactionSql) => Promise<string[]>,
): Promise<Released[]> {
  const outcome = await pg().begin(async (tx) => releaseInTx(tx, await choose(tx), path, due));
  holdMetrics.released(outcome.released);
  if (outcome.offersPassed > 0) holdMetrics.offerPassed(outcome.offersPassed);
  await afterRelease(outcome);
  return outcome.released;
}

/**
 * Ends one cart and returns its units to stock: the release used by the worker's event path,
 * by requests that find a cart overdue (lazy) and by emptying (`early`). Null when this call
 * released nothing (already ended, checked out, or not yet due).
 */
export async function releaseCart(cartId: string, path: ReleasePath, due: Due = "overdue"): Promise<Released | null> {
  const [released] = await releaseChosen(path, due, async () => [cartId]);
  return released ?? null;
}

/**
 * The sweeper's step: up to `batchSize` overdue active carts, oldest first, released in one
 * transaction (lib/cart/overdue.ts chooses them).
 */
export async function releaseOverdueBatch(batchSize: number): Promise<Released[]> {
  return releaseChosen("sweep", "overdue", (tx) => chooseOverdue(tx, batchSize));
}

/**
 * Invariant 7: releases the overdue, not yet released carts that hold `productId`, so an
 * expired hold never refuses a sale. Returns how many carts were released.
 */
export async function releaseOverdueHoldersOf(productId: number, limit = 100): Promise<number> {
  const released = await releaseChosen("lazy", "overdue", (tx) => chooseOverdueHoldersOf(tx, productId, limit));
  for (const r of released) logRelease(r);
  return released.length;
}

/** One structured line per release, for operators and the lag benchmark. */
export function logRelease(r: Released): void {
  log.info("release", { cart: r.cartId, units: r.units, path: r.path, lagMs: r.lagMs });
}
