import "server-only";
import { ShopError } from "../base/shop-error";
import type { CartView } from "../hold/cart-types";
import { endedHold } from "./hold-state";
import { addToCart } from "../cart/mutations";

export type HeldAgain = {
  /** The cart now holding what could be held; null when nothing could. */
  cartId: string | null;
  created: boolean;
  cart: CartView | null;
  /** Units held again, and units asked for that are no longer in stock. */
  held: number;
  missed: number;
};

/**
 * Holds again, in a new cart, whatever of an ended hold is still in stock: each item up to the
 * quantity it had, fewer when fewer are left. Each line is an ordinary add (caps, limits and
 * invariant 3 apply); a line another shopper took meanwhile is retried once with what is left.
 */
export async function holdAgain(caller: { cartId: string | null; clientIp: string }): Promise<HeldAgain> {
  const ended = caller.cartId ? await endedHold(caller.cartId) : null;
  if (!ended) throw new ShopError("cart_not_found", "There is no ended hold to take up again.");
  let cartId = caller.cartId;
  let created = false;
  let cart: CartView | null = null;
  let held = 0;
  let asked = 0;
  for (const item of ended.items) {
    asked += item.quantity;
    let want = Math.min(item.quantity, item.availableNow);
    for (let attempt = 0; want > 0 && attempt < 2; attempt += 1) {
      try {
        const result = await addToCart({ cartId, clientIp: caller.clientIp }, item.productId, want);
        created ||= result.created;
        ({ cartId, cart } = result);
        held += want;
        break;
      } catch (error) {
        if (!(error instanceof ShopError && error.code === "insufficient_stock")) throw error;
        const left = Number(error.details.available ?? 0);
        want = Math.min(want - 1, left);
      }
    }
  }
  return { cartId: cart ? cartId : null, created, cart, held, missed: asked - held };
}
