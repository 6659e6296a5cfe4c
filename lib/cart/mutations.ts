import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { productSummaries } from "../catalog/products";
import { config } from "../config";
import { db, type Db } from "../db/client";
import { carts, reservations } from "../db/schema";
import { insufficientStock, ShopError } from "../errors";
import { availableOf, holdUnits, unholdUnits, type DbTx } from "../inventory/counters";
import { forgetCartsInRedis, releaseCart, releaseOverdueHoldersOf } from "../inventory/release";
import { publishStockChanges, type StockChange } from "../inventory/stock-events";
import { newCartId } from "./cart-id";
import { toCartView, type CartView } from "./cart-view";
import { allowNewCart } from "./new-cart-limit";
import { writeSnapshot, type CartLine, type CartSnapshot } from "./snapshot";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type LineChange = { productId: number; mode: "add" | "set"; quantity: number };
type Applied = CartSnapshot & { previousQuantity: number; lineQuantity: number; change: StockChange | null };

const cartClock = {
  version: carts.version,
  state: carts.state,
  live: sql<boolean>`${carts.expiresAt} > now()`,
  expiresAtMs: sql<number>`(extract(epoch from ${carts.expiresAt}) * 1000)::float8`,
  ttlMs: sql<number>`floor(extract(epoch from ${carts.expiresAt} - now()) * 1000)::int`,
};

/** Locks the cart row for the rest of the transaction and bumps its version (one statement). */
async function lockCart(tx: Tx, cartId: string) {
  const [row] = await tx
    .update(carts)
    .set({ version: sql`${carts.version} + 1` })
    .where(eq(carts.id, cartId))
    .returning(cartClock);
  return row && row.state === "active" && row.live ? row : null;
}

/** A new cart whose hold ends CART_TTL_SECONDS from now by the database clock. */
async function insertCart(tx: Tx, cartId: string) {
  const [row] = await tx
    .insert(carts)
    .values({ id: cartId, expiresAt: sql`now() + make_interval(secs => ${config().cartTtlSeconds})` })
    .returning(cartClock);
  if (!row) throw new Error("cart insert returned nothing");
  return row;
}

function enforceLimits(lines: readonly CartLine[], current: number, target: number): void {
  const { maxQtyPerLine, maxLines, maxUnitsPerCart } = config();
  if (target > maxQtyPerLine) {
    throw new ShopError("cart_limit", `At most ${maxQtyPerLine} of one item per cart.`, { maxQtyPerLine });
  }
  if (current === 0 && target > 0 && lines.length >= maxLines) {
    throw new ShopError("cart_limit", `A cart holds at most ${maxLines} different items.`, { maxLines });
  }
  const units = lines.reduce((sum, l) => sum + l.quantity, 0) - current + target;
  if (target > current && units > maxUnitsPerCart) {
    throw new ShopError("cart_limit", `A cart holds at most ${maxUnitsPerCart} items.`, { maxUnitsPerCart });
  }
}

/** Sets the hold of one product so the line matches `target`, moving only the difference. */
async function moveHold(tx: DbTx, productId: number, current: number, target: number): Promise<StockChange | null> {
  const delta = target - current;
  if (delta === 0) return null;
  if (delta < 0) return { productId, available: await unholdUnits(tx, productId, -delta) };
  const available = await holdUnits(tx, productId, delta);
  if (available !== null) return { productId, available };
  const left = await availableOf(tx, productId);
  if (left === null) throw new ShopError("unknown_product", "No such product.");
  throw insufficientStock(left);
}

/**
 * One transaction: lock (or create) the cart, change the product's counters by the
 * difference, keep the reservation row in step. Any refusal rolls all of it back.
 * Exported for the benchmark's database ceiling: the route's transaction without HTTP or Redis.
 */
export async function applyChange(cartId: string, create: boolean, change: LineChange): Promise<Applied> {
  return db().transaction(async (tx) => {
    const cart = create ? await insertCart(tx, cartId) : await lockCart(tx, cartId);
    if (!cart) throw new ShopError("cart_expired", "Your cart has expired.");
    const lines: CartLine[] = create
      ? []
      : await tx
          .select({ productId: reservations.productId, quantity: reservations.quantity })
          .from(reservations)
          .where(eq(reservations.cartId, cartId))
          .orderBy(reservations.productId);
    const current = lines.find((l) => l.productId === change.productId)?.quantity ?? 0;
    // A negative "add" is an undo (see compensate); it never takes a line below zero.
    const target = Math.max(0, change.mode === "add" ? current + change.quantity : change.quantity);
    enforceLimits(lines, current, target);

    const stockChange = await moveHold(tx, change.productId, current, target);
    if (target === 0) {
      await tx
        .delete(reservations)
        .where(and(eq(reservations.cartId, cartId), eq(reservations.productId, change.productId)));
    } else if (target !== current) {
      await tx
        .insert(reservations)
        .values({ cartId, productId: change.productId, quantity: target })
        .onConflictDoUpdate({ target: [reservations.cartId, reservations.productId], set: { quantity: target } });
    }
    const others = lines.filter((l) => l.productId !== change.productId);
    const nextLines = target > 0 ? [...others, { productId: change.productId, quantity: target }] : others;
    nextLines.sort((a, b) => a.productId - b.productId);
    return {
      cartId,
      version: cart.version,
      expiresAtMs: cart.expiresAtMs,
      ttlMs: cart.ttlMs,
      lines: nextLines,
      previousQuantity: current,
      lineQuantity: target,
      change: stockChange,
    };
  });
}

/**
 * Invariant 7: when stock ran out, free the product's overdue holds and try exactly once more.
 * The retry does not depend on who freed them: another shopper, the sweeper or this call.
 */
async function applyFreeingOverdue(cartId: string, create: boolean, change: LineChange): Promise<Applied> {
  try {
    return await applyChange(cartId, create, change);
  } catch (error) {
    if (!(error instanceof ShopError && error.code === "insufficient_stock")) throw error;
    await releaseOverdueHoldersOf(change.productId);
    return applyChange(cartId, create, change);
  }
}

/**
 * Puts the Postgres result into Redis. If Redis fails, the change is undone in Postgres so a
 * 503 means "nothing changed"; if even that fails, the hold still ends at `expires_at`
 * through the sweeper, so nothing leaks past it.
 */
async function publish(applied: Applied, created: boolean): Promise<void> {
  try {
    await writeSnapshot(applied);
  } catch (error) {
    console.error(`[cart] redis write for cart ${applied.cartId} failed: ${(error as Error).message}`);
    await compensate(applied, created).catch((undo: Error) =>
      console.error(`[cart] undo for cart ${applied.cartId} failed, the sweeper ends it: ${undo.message}`),
    );
    throw new ShopError("service_unavailable", "The cart store is unavailable. Nothing was changed; please try again.");
  }
  if (applied.change) await publishStockChanges([applied.change]);
}

/**
 * Undoes exactly this request's difference (a concurrent change to the same line stays), then
 * tries to put the undone state in Redis: a timed-out write may still have landed there, and
 * only a newer version replaces it.
 */
async function compensate(applied: Applied, created: boolean): Promise<void> {
  if (created) {
    await releaseCart(applied.cartId, "compensate", { early: true });
    return;
  }
  const productId = applied.change?.productId;
  const delta = applied.lineQuantity - applied.previousQuantity;
  if (productId === undefined || delta === 0) return;
  const undone = await applyChange(applied.cartId, false, { productId, mode: "add", quantity: -delta });
  await writeSnapshot(undone).catch(() => {});
}

const view = (s: CartSnapshot): Promise<CartView> => toCartView(s.lines, s.expiresAtMs, s.ttlMs);

async function assertKnownProduct(productId: number): Promise<void> {
  if (!(await productSummaries([productId])).has(productId)) {
    throw new ShopError("unknown_product", "No such product.");
  }
}

export type AddResult = { cartId: string; created: boolean; cart: CartView };

/**
 * Adds `quantity` units of a product to the caller's cart, holding them out of stock. Creates
 * the cart when the caller has none (or only an ended one), subject to the per-IP limit.
 */
export async function addToCart(
  caller: { cartId: string | null; clientIp: string },
  productId: number,
  quantity: number,
): Promise<AddResult> {
  await assertKnownProduct(productId);
  const change: LineChange = { productId, mode: "add", quantity };
  if (caller.cartId) {
    try {
      const applied = await applyFreeingOverdue(caller.cartId, false, change);
      await publish(applied, false);
      return { cartId: caller.cartId, created: false, cart: await view(applied) };
    } catch (error) {
      if (!(error instanceof ShopError && error.code === "cart_expired")) throw error;
      // The old cart is over: end it now if nobody has yet, and start a new one below.
      await releaseCart(caller.cartId, "lazy").catch(() => {});
    }
  }
  if (!(await allowNewCart(caller.clientIp))) {
    throw new ShopError("rate_limited", "Too many new carts from your network. Please wait a minute.");
  }
  const cartId = newCartId();
  const applied = await applyFreeingOverdue(cartId, true, change);
  await publish(applied, true);
  return { cartId, created: true, cart: await view(applied) };
}

function requireCart(cartId: string | null): string {
  if (!cartId) throw new ShopError("cart_not_found", "You have no cart yet.");
  return cartId;
}

/** Sets a line to `quantity` (0 removes it), holding or returning only the difference. */
export async function setLineQuantity(cartId: string | null, productId: number, quantity: number): Promise<CartView> {
  const id = requireCart(cartId);
  if (quantity > 0) await assertKnownProduct(productId);
  const applied = await applyFreeingOverdue(id, false, { productId, mode: "set", quantity });
  await publish(applied, false);
  return view(applied);
}

export const removeLine = (cartId: string | null, productId: number) => setLineQuantity(cartId, productId, 0);

/** Ends the cart now and returns everything it held to stock. Idempotent. */
export async function emptyCart(cartId: string | null): Promise<void> {
  if (!cartId) return;
  await releaseCart(cartId, "empty", { early: true });
  // releaseCart cleans Redis best-effort; here the shopper waits for it, so a failure is a 503
  // and a retry finishes the job.
  await forgetCartsInRedis([cartId]);
}
