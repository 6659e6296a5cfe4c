import "server-only";
import { pg } from "../db/client";
import { log, reason } from "../base/log";
import { within } from "../base/timeout";
import { holdMetrics } from "./hold-metrics";
import { ledgerSettingsJson } from "./ledger-settings";
import { publishStockChanges, type AvailableChange } from "./stock-events";
import { announceHandOff, handOffOf, type Offer } from "./hand-off";
import { chooseOverdueHoldersOf } from "./overdue";
import { forgetCartsInRedis } from "./redis-cart";

/** Who ended the hold: the expiry event, the sweeper, a request that found it overdue, the shopper. */
/**
 * Who ended a hold: the expiry event, the sweeper, a request that found it overdue (lazy), the
 * shopper emptying it, an undone change (compensate), or an operator at /admin (by hand).
 */
export const RELEASE_PATH_NAMES = ["event", "sweep", "lazy", "empty", "compensate", "operator"] as const;
export type ReleasePath = (typeof RELEASE_PATH_NAMES)[number];

export type Released = {
  cartId: string;
  path: ReleasePath;
  units: number;
  /** How long after `expires_at` the units came back (negative when emptied early). */
  lagMs: number;
};

/** What a release statement did (release_carts), for the work after its commit. */
type ReleaseOutcome = {
  released: Omit<Released, "path">[];
  changes: AvailableChange[];
  offers: Offer[];
  /** Units of offers that ended unclaimed with these carts (they went on to the next in line). */
  offersPassed: number;
  /** How long it held the first inventory row it locked (null: it ended no cart). */
  lockMs: number | null;
};

const REDIS_AFTER_RELEASE_MS = 500;

/** Release only carts past their deadline, or (`early`) any active cart: emptying, undo. */
type Due = "overdue" | "early";

/** Which carts: these, or up to `sweep` overdue ones that nobody else has locked (the sweeper). */
type Chosen = { cartIds: readonly string[] } | { sweep: number };

/**
 * Ends the chosen carts and returns their held units to stock, in one statement that locks, decides
 * and commits (the SQL function release_carts, drizzle/0006_hot_row_functions.sql; invariant 12).
 * Only carts still `active` (and, unless `early`, past `expires_at`) change.
 *
 * Invariant 5 (exactly once): `active -> expired` is a conditional update of the cart row; a
 * concurrent caller waits on the row lock, re-reads the row, finds it no longer active and
 * changes nothing. Invariant 6: checkout takes the same row lock and requires `active`, so
 * exactly one of them wins. Invariant 8: units of a product with a waiting line go to the line
 * in this same statement, never through `available` to anyone else.
 */
async function releaseInLedger(chosen: Chosen, path: ReleasePath, due: Due): Promise<ReleaseOutcome> {
  const cartIds = "cartIds" in chosen ? [...chosen.cartIds] : [];
  const sweep = "sweep" in chosen ? chosen.sweep : null;
  const [row] = await pg()<{ outcome: ReleaseOutcome }[]>`
    select release_carts(${cartIds}::uuid[], ${sweep}::int, ${path}, ${due === "early"},
                         ${ledgerSettingsJson()}::jsonb) as outcome`;
  if (!row) throw new Error("release_carts answered no row");
  return row.outcome;
}

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
    handOffOf(outcome.offers).then(announceHandOff),
  ]);
  await within(REDIS_AFTER_RELEASE_MS, redisWork).catch(() => {});
}

/** The one shape of every release: the statement, then (after commit) Redis and the announcements. */
async function releaseChosen(path: ReleasePath, due: Due, chosen: Chosen): Promise<Released[]> {
  const outcome = await releaseInLedger(chosen, path, due);
  const released = outcome.released.map((r) => ({ ...r, path }));
  holdMetrics.released(released);
  holdMetrics.rowLockHeld("release", outcome.lockMs);
  if (outcome.offersPassed > 0) holdMetrics.offerPassed(outcome.offersPassed);
  await afterRelease(outcome);
  return released;
}

/**
 * Ends one cart and returns its units to stock: the release used by the worker's event path,
 * by requests that find a cart overdue (lazy) and by emptying (`early`). Null when this call
 * released nothing (already ended, checked out, or not yet due).
 */
export async function releaseCart(cartId: string, path: ReleasePath, due: Due = "overdue"): Promise<Released | null> {
  const [released] = await releaseChosen(path, due, { cartIds: [cartId] });
  return released ?? null;
}

/**
 * The sweeper's step: up to `batchSize` overdue active carts, oldest first, released in one
 * transaction (lib/hold/overdue.ts chooses them).
 */
export async function releaseOverdueBatch(batchSize: number): Promise<Released[]> {
  return releaseChosen("sweep", "overdue", { sweep: batchSize });
}

/**
 * Invariant 7: releases the overdue, not yet released carts that hold `productId`, so an
 * expired hold never refuses a sale. Returns how many carts were released.
 */
export async function releaseOverdueHoldersOf(productId: number, limit = 100): Promise<number> {
  const cartIds = await chooseOverdueHoldersOf(pg(), productId, limit);
  if (cartIds.length === 0) return 0;
  const released = await releaseChosen("lazy", "overdue", { cartIds });
  for (const r of released) logRelease(r);
  return released.length;
}

/** One structured line per release, for operators and the lag benchmark. */
export function logRelease(r: Released): void {
  log.info("release", { cart: r.cartId, units: r.units, path: r.path, lagMs: r.lagMs });
}
