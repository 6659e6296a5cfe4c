import "server-only";
import { explainUnknown } from "../catalog/variants";
import { log, reason } from "../base/log";
import { ShopError } from "../base/shop-error";
import { releaseCart, releaseOverdueHoldersOf } from "../hold/release";
import { newCartId } from "./cart-id";
import type { CartSnapshot, CartView } from "../hold/cart-types";
import { toCartView } from "./cart-view";
import { newCartWaitMs, tooManyNewCarts } from "./new-cart-limit";
import { applyChange } from "../hold/change-queue";
import { StockRefusal } from "../hold/change-lines";
import type { Applied, CartTarget, LineChange } from "../hold/line-change";
import { forgetCartsInRedis, writeCartToRedis } from "../hold/redis-cart";
import { soldOut } from "../hold/sold-out";
import { addRefusalOf } from "../hold/refused-adds";

/**
 * Invariant 7: when stock ran out, free the product's overdue holds and try exactly once more.
 * The retry does not depend on who freed them: another shopper, the sweeper or this call.
 */
async function applyFreeingOverdue(target: CartTarget, change: LineChange): Promise<Applied> {
  try {
    return await applyChange(target, change);
  } catch (error) {
    // The batch read when the product's next hold ends: with none overdue, freeing finds nothing.
    if (!isOutOfStock(error) || (error instanceof StockRefusal && !error.mayFreeOverdue)) throw error;
    await releaseOverdueHoldersOf(change.productId);
    try {
      return await applyChange(target, change);
    } catch (again) {
      // A batch's refusal told the sold-out flag itself; a lone new cart's did not (HOLD_LIMITS=off).
      const told = again instanceof StockRefusal;
      if (!told && isOutOfStock(again) && (again as ShopError).details.available === 0) {
        await soldOut.learn(change.productId);
      }
      throw again;
    }
  }
}

const isOutOfStock = (error: unknown) => error instanceof ShopError && error.code === "insufficient_stock";

/** How a change that Redis did not take is undone in Postgres: a new cart ends, an old one's line reverts. */
type Undo = "end new cart" | "revert line";

/**
 * Puts the committed change into Redis. If Redis fails, the change is undone in Postgres so a
 * 503 means "nothing changed"; if even that fails, the hold still ends at `expires_at`
 * through the sweeper, so nothing leaks past it.
 */
async function writeToRedisOrUndo(applied: Applied, undo: Undo): Promise<void> {
  try {
    await writeCartToRedis(applied);
  } catch (error) {
    log.error("cart_redis_write_failed", { cart: applied.cartId, error: reason(error) });
    await undoChange(applied, undo).catch((failed: unknown) =>
      log.error("cart_undo_failed", { cart: applied.cartId, error: reason(failed), then: "the sweeper ends it" }),
    );
    throw new ShopError("service_unavailable", "The cart store is unavailable. Nothing was changed; please try again.");
  }
}

/**
 * Undoes exactly this request's difference (a concurrent change to the same line stays), then
 * tries to put the undone state in Redis: a timed-out write may still have landed there, and
 * only a newer version replaces it.
 */
async function undoChange(applied: Applied, undo: Undo): Promise<void> {
  if (undo === "end new cart") {
    await releaseCart(applied.cartId, "compensate", "early");
    return;
  }
  const productId = applied.change?.productId;
  const delta = applied.lineQuantity - applied.previousQuantity;
  if (productId === undefined || delta === 0) return;
  const undone = await applyChange({ cartId: applied.cartId }, { productId, mode: "undo", quantity: delta });
  await writeCartToRedis(undone).catch(() => {});
}

const view = (s: CartSnapshot): Promise<CartView> => toCartView(s);

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
  // A product in variants holds no stock of its own: the add must name one (variant_required).
  return add(caller, productId, quantity).catch(async (error: unknown) => {
    throw await explainUnknown(error, productId);
  });
}

async function add(
  caller: { cartId: string | null; clientIp: string },
  productId: number,
  quantity: number,
): Promise<AddResult> {
  // Known refused (lib/hold/refused-adds.ts): no database, and no new cart counted against the
  // client's minute, as the door refuses it, so either answers the same.
  const known = addRefusalOf(productId);
  if (known) throw known.refusal;
  const change: LineChange = { productId, mode: "add", quantity };
  if (caller.cartId) {
    try {
      const applied = await applyFreeingOverdue({ cartId: caller.cartId }, change);
      await writeToRedisOrUndo(applied, "revert line");
      return { cartId: caller.cartId, created: false, cart: await view(applied) };
    } catch (error) {
      if (!(error instanceof ShopError && error.code === "cart_expired")) throw error;
      // The old cart is over: end it now if nobody has yet, and start a new one below.
      await releaseCart(caller.cartId, "lazy").catch(() => {});
    }
  }
  const waitMs = await newCartWaitMs(caller.clientIp);
  if (waitMs > 0) throw tooManyNewCarts(waitMs);
  const cartId = newCartId();
  const applied = await applyFreeingOverdue({ cartId, newFor: caller.clientIp }, change);
  await writeToRedisOrUndo(applied, "end new cart");
  return { cartId, created: true, cart: await view(applied) };
}

function requireCart(cartId: string | null): string {
  if (!cartId) throw new ShopError("cart_not_found", "You have no cart yet.");
  return cartId;
}

/** Sets a line to `quantity` (0 removes it), holding or returning only the difference. */
export async function setLineQuantity(cartId: string | null, productId: number, quantity: number): Promise<CartView> {
  const id = requireCart(cartId);
  const applied = await applyFreeingOverdue({ cartId: id }, { productId, mode: "set", quantity });
  await writeToRedisOrUndo(applied, "revert line");
  return view(applied);
}

export const removeLine = (cartId: string | null, productId: number) => setLineQuantity(cartId, productId, 0);

/** Ends the cart now and returns everything it held to stock. Idempotent. */
export async function emptyCart(cartId: string | null): Promise<void> {
  if (!cartId) return;
  await releaseCart(cartId, "empty", "early");
  // releaseCart cleans Redis best-effort; here the shopper waits for it, so a failure is a 503
  // and a retry finishes the job.
  await forgetCartsInRedis([cartId]);
}

/**
 * Gives back `units` of a line (fewer when the line holds fewer): an offer from the waiting line
 * declined, while what the shopper held before it stays. The freed units go to the line first.
 */
export async function giveBack(cartId: string, productId: number, units: number): Promise<CartView> {
  const applied = await applyChange({ cartId }, { productId, mode: "giveBack", quantity: units });
  await writeToRedisOrUndo(applied, "revert line");
  return view(applied);
}
