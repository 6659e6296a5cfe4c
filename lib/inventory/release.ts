import "server-only";
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import { db } from "../db/client";
import { carts, reservations } from "../db/schema";
import { holdMetrics } from "../metrics/hold-metrics";
import { redis } from "../redis/client";
import { cartKeys } from "../redis/keys";
import { lockInventoryInOrder, unholdUnits, type DbTx } from "./counters";
import { publishStockChanges, type AvailableChange } from "./stock-events";

/** Who ended the hold: the expiry event, the sweeper, a request that found it overdue, the shopper. */
export type ReleasePath = "event" | "sweep" | "lazy" | "empty" | "compensate";

export type Released = {
  cartId: string;
  path: ReleasePath;
  units: number;
  /** How long after `expires_at` the units came back (negative when emptied early). */
  lagMs: number;
};

// Long enough to outlast any request still in flight for the cart; Redis drops it by itself.
const TOMBSTONE_MS = 10 * 60_000;
const REDIS_AFTER_RELEASE_MS = 500;

/**
 * Ends the given carts and returns their held units to `available`, inside the caller's
 * transaction. Only carts still `active` (and, unless `early`, past `expires_at`) change.
 *
 * Invariant 5 (exactly once): `active -> expired` is a conditional update of the cart row; a
 * concurrent caller waits on the row lock, re-reads the row, finds it no longer active and
 * changes nothing. Invariant 6: checkout takes the same row lock and requires `active`, so
 * exactly one of them wins.
 */
export async function releaseInTx(
  tx: DbTx,
  cartIds: readonly string[],
  path: ReleasePath,
  early: boolean,
): Promise<{ released: Released[]; changes: AvailableChange[] }> {
  if (cartIds.length > 1) {
    // Several carts: take their row locks in id order, like every multi-row lock here.
    await tx.execute(sql`select id from carts where id in ${[...cartIds]} order by id for update`);
  }
  const ended = await tx
    .update(carts)
    .set({ state: "expired", endedAt: sql`now()`, version: sql`${carts.version} + 1`, releasePath: path })
    .where(
      and(
        inArray(carts.id, [...cartIds]),
        eq(carts.state, "active"),
        early ? undefined : lte(carts.expiresAt, sql`now()`),
      ),
    )
    .returning({
      cartId: carts.id,
      lagMs: sql<number>`floor(extract(epoch from now() - ${carts.expiresAt}) * 1000)::int`,
    });
  if (ended.length === 0) return { released: [], changes: [] };

  const lines = await tx
    .delete(reservations)
    .where(
      inArray(
        reservations.cartId,
        ended.map((e) => e.cartId),
      ),
    )
    .returning({ cartId: reservations.cartId, productId: reservations.productId, quantity: reservations.quantity });

  const unitsByProduct = new Map<number, number>();
  const unitsByCart = new Map<string, number>();
  for (const l of lines) {
    unitsByProduct.set(l.productId, (unitsByProduct.get(l.productId) ?? 0) + l.quantity);
    unitsByCart.set(l.cartId, (unitsByCart.get(l.cartId) ?? 0) + l.quantity);
  }
  // The shopper is told which items went back, and may hold them again (lib/cart/hold-state.ts).
  const linesByCart: Record<string, { product_id: number; quantity: number }[]> = {};
  for (const l of lines) (linesByCart[l.cartId] ??= []).push({ product_id: l.productId, quantity: l.quantity });
  if (lines.length > 0) {
    await tx.execute(sql`
      update carts c set released_lines = x.value::jsonb
        from json_each(${JSON.stringify(linesByCart)}::json) x
       where c.id = x.key::uuid`);
  }
  const productIds = [...unitsByProduct.keys()].sort((a, b) => a - b);
  await lockInventoryInOrder(tx, productIds);
  const changes: AvailableChange[] = [];
  for (const productId of productIds) {
    changes.push({ productId, available: await unholdUnits(tx, productId, unitsByProduct.get(productId) ?? 0) });
  }
  const released = ended.map(({ cartId, lagMs }) => ({ cartId, path, units: unitsByCart.get(cartId) ?? 0, lagMs }));
  return { released, changes };
}

/** After Postgres committed: drop the carts' Redis keys (best effort) and announce the stock. */
export async function afterRelease(cartIds: readonly string[], changes: AvailableChange[]): Promise<void> {
  const redisWork = Promise.all([
    cartIds.length > 0
      ? forgetCartsInRedis(cartIds).catch((error: Error) =>
          // Harmless: the keys expire by their own TTL and the tombstone only guards late writes.
          console.error(`[release] redis cleanup failed: ${error.message}`),
        )
      : undefined,
    publishStockChanges(changes),
  ]);
  // Best effort, and bounded: a slow or unreachable Redis (a cluster queues commands while it
  // is down) must never hold up the sweeper, whose Postgres work is already committed.
  await Promise.race([redisWork, new Promise((resolve) => setTimeout(resolve, REDIS_AFTER_RELEASE_MS).unref())]);
}

/**
 * Ends one cart and returns its units to stock: the release used by the worker's event path,
 * by requests that find a cart overdue (lazy) and by emptying (`early`). Null when this call
 * released nothing (already ended, checked out, or not yet due).
 */
export async function releaseCart(
  cartId: string,
  path: ReleasePath,
  { early = false }: { early?: boolean } = {},
): Promise<Released | null> {
  const [released] = await releaseChosen(path, early, async () => [cartId]);
  return released ?? null;
}

/**
 * The one shape of every release: choose carts and release them in one transaction, then (after
 * commit) drop their Redis keys and announce the stock.
 */
async function releaseChosen(
  path: ReleasePath,
  early: boolean,
  choose: (tx: DbTx) => Promise<string[]>,
): Promise<Released[]> {
  const { released, changes } = await db().transaction(async (tx) => {
    const cartIds = await choose(tx);
    return cartIds.length === 0 ? { released: [], changes: [] } : releaseInTx(tx, cartIds, path, early);
  });
  holdMetrics.released(released);
  await afterRelease(
    released.map((r) => r.cartId),
    changes,
  );
  return released;
}

/**
 * The sweeper's step: up to `batchSize` overdue active carts, oldest first, released in one
 * transaction. `skip locked` lets any number of workers sweep at once without waiting for or
 * double-releasing each other's carts.
 */
export async function releaseOverdueBatch(batchSize: number): Promise<Released[]> {
  return releaseChosen("sweep", false, async (tx) => (await overdueCarts(tx, batchSize)).map((c) => c.id));
}

/**
 * Ids of overdue active carts, oldest first, each then released on its own. Carts locked by
 * another transaction (a stuck batch, say) are skipped rather than waited for.
 */
export async function overdueCartIds(limit: number): Promise<string[]> {
  return (await overdueCarts(db(), limit)).map((r) => r.id);
}

/**
 * Milliseconds until the earliest deadline among active carts (database clock; 0 when one is
 * already due, null when no cart is active), so the sweeper can wake when a hold ends rather
 * than up to a whole interval later.
 */
export async function msUntilNextDeadline(): Promise<number | null> {
  const [row] = await db()
    .select({
      ms: sql<number | null>`greatest(0, floor(extract(epoch from min(${carts.expiresAt}) - now()) * 1000))::int`,
    })
    .from(carts)
    .where(eq(carts.state, "active"));
  return row?.ms ?? null;
}

/** Overdue active carts, oldest first, locked; rows another transaction holds are skipped. */
function overdueCarts(executor: DbTx, limit: number) {
  return executor
    .select({ id: carts.id })
    .from(carts)
    .where(and(eq(carts.state, "active"), lte(carts.expiresAt, sql`now()`)))
    .orderBy(asc(carts.expiresAt))
    .limit(limit)
    .for("update", { skipLocked: true });
}

/**
 * Drops carts' Redis keys and leaves tombstones so no late write brings them back. One script
 * per cart (each cart's keys share a slot; different carts may not), sent without waiting for
 * each reply, so many carts still cost about one round trip.
 */
export async function forgetCartsInRedis(cartIds: readonly string[]): Promise<void> {
  await Promise.all(
    cartIds.map((id) => {
      const keys = cartKeys(id);
      return redis().endCart(keys.session, keys.lines, keys.ended, 1, TOMBSTONE_MS);
    }),
  );
}

/**
 * Invariant 7: releases the overdue, not yet released carts that hold `productId`, so an
 * expired hold never refuses a sale. Returns how many carts were released.
 */
export async function releaseOverdueHoldersOf(productId: number, limit = 100): Promise<number> {
  const released = await releaseChosen("lazy", false, async (tx) => {
    const overdue = await tx
      .select({ cartId: reservations.cartId })
      .from(reservations)
      .innerJoin(carts, eq(carts.id, reservations.cartId))
      .where(and(eq(reservations.productId, productId), eq(carts.state, "active"), lte(carts.expiresAt, sql`now()`)))
      .limit(limit);
    return overdue.map((o) => o.cartId);
  });
  for (const r of released) logRelease(r);
  return released.length;
}

/** One structured line per release, for operators and the lag benchmark. */
export function logRelease(r: Released): void {
  console.log(
    JSON.stringify({
      t: new Date().toISOString(),
      event: "release",
      cart: r.cartId,
      units: r.units,
      path: r.path,
      lagMs: r.lagMs,
    }),
  );
}
