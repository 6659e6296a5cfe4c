"use server";

import type { CartView } from "@/lib/hold/cart-types";
import { extendHold } from "@/lib/cart/extend";
import { holdAgain } from "@/lib/shopper/hold-again";
import { readHoldState } from "@/lib/shopper/hold-state";
import { addToCart, emptyCart, setLineQuantity } from "@/lib/cart/mutations";
import { addItemSchema, productIdSchema, setQuantitySchema } from "@/lib/cart/schemas";
import { stockUnitOf, type Named } from "@/lib/catalog/variants";
import { config } from "@/lib/base/config";
import { currentCartId, forgetCart, rememberCart } from "@/lib/http/cart-session";
import { answerForm, parseAction, readForm, returnPath } from "@/lib/http/server-action";
import { postedForm } from "@/lib/http/posted-form";
import {
  caller,
  formProductId,
  holdFor,
  holdState,
  run,
  shopperWording,
  type CartActionResult,
  type HoldActionResult,
} from "./action-context";

/**
 * The cart's server actions. Each is called two ways: by the client components with typed
 * arguments (optimistic UI, the answer is a value), and, without JavaScript, by a plain HTML form
 * posting to its `…Form` twin, which answers with a redirect to a page that shows the result.
 * Both parse with the API routes' own schemas and answer refusals through the one error map
 * (lib/http/server-action.ts). The waiting line's actions are in components/waitlist/actions.ts.
 */

const maxQty = () => config().maxQtyPerLine;
const units = (n: number) => `${n} item${n === 1 ? "" : "s"}`;

/** POST /api/cart/items, as an action: the body `{ productId, quantity }`. */
async function add({ quantity, ...named }: Named & { quantity: number }) {
  const productId = await stockUnitOf(named);
  const result = await addToCart(await caller(), productId, quantity);
  if (result.created) await rememberCart(result.cartId);
  const name = result.cart.items.find((i) => i.productId === productId)?.name ?? "the item";
  return {
    cart: result.cart,
    note: `Added ${quantity} × ${name} to your cart. It is held for you for ${holdFor()}.`,
  };
}

export async function addToCartAction(productId: number, quantity: number): Promise<CartActionResult> {
  return run(() => add(parseAction(addItemSchema(maxQty()), { productId, quantity }, shopperWording)));
}

/** PATCH /api/cart/items/[productId], as an action: the body `{ quantity }` (0 removes the line). */
async function setQuantity(
  productId: number,
  { quantity }: { quantity: number },
): Promise<{ cart: CartView; note: string }> {
  const cart = await setLineQuantity(await currentCartId(), productId, quantity);
  return { cart, note: quantity === 0 ? "Removed from your cart." : "Quantity updated." };
}

export async function setQuantityAction(productId: number, quantity: number): Promise<CartActionResult> {
  return run(async () => {
    const id = parseAction(productIdSchema, productId);
    return setQuantity(id, parseAction(setQuantitySchema(maxQty()), { quantity }, shopperWording));
  });
}

export async function emptyCartAction(): Promise<CartActionResult> {
  return run(async () => {
    await emptyCart(await currentCartId());
    await forgetCart();
    const { cart } = await readHoldState(null);
    return { cart, note: "Your cart is empty." };
  });
}

/** Keeps the hold for another CART_TTL_SECONDS (refused past MAX_HOLD_EXTENSIONS). */
export async function extendHoldAction(): Promise<CartActionResult> {
  return run(async () => {
    const cartId = await currentCartId();
    const cart = await extendHold(cartId);
    if (cartId) await rememberCart(cartId);
    return { cart, note: `Kept: your items are held for ${holdFor()} from now.` };
  });
}

/** Holds again whatever of the ended hold is still in stock ("Hold the 2 that are still in stock"). */
export async function holdAgainAction(): Promise<HoldActionResult> {
  return run(async () => {
    const again = await holdAgain(await caller());
    if (again.cartId && again.created) await rememberCart(again.cartId);
    if (!again.cartId) await forgetCart(); // nothing left to hold: the ended hold is told and done
    const state = await holdState(again.cartId);
    const missed = again.missed > 0 ? ` ${units(again.missed)} could not be held: no longer in stock.` : "";
    const note =
      again.held > 0
        ? `${units(again.held)} held for you again for ${holdFor()}.${missed}`
        : `Nothing could be held:${missed}`;
    return { state, note };
  });
}

/** The shopper read what their ended hold released: forget it. */
export async function dismissEndedAction(): Promise<HoldActionResult> {
  return run(async () => {
    await forgetCart();
    return { state: await holdState(null) };
  });
}

/** The cart as the server sees it now (after the countdown ran out, say), or the hold that ended. */
export async function refreshHoldAction(): Promise<HoldActionResult> {
  return run(async () => ({ state: await holdState(await currentCartId()) }));
}

// ---- The same actions as plain HTML forms (no JavaScript) -------------------------------------

/** Add to cart without JavaScript: the cart shows what was added; a refusal goes back to the product. */
export async function addToCartForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  const result = await run(() =>
    add(readForm(addItemSchema(maxQty()), form, { numbers: ["productId", "quantity"] }, shopperWording)),
  );
  await answerForm(result, result.ok ? "/cart" : returnPath(form, "/"));
}

/** The steppers and Remove: each is a submit button carrying the line's new quantity. */
export async function setQuantityForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  const result = await run(async () => {
    const id = formProductId(form);
    return setQuantity(id, readForm(setQuantitySchema(maxQty()), form, { numbers: ["quantity"] }, shopperWording));
  });
  await answerForm(result, returnPath(form));
}

export async function emptyCartForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  await answerForm(await emptyCartAction(), returnPath(form));
}

export async function extendHoldForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  await answerForm(await extendHoldAction(), returnPath(form));
}

export async function holdAgainForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  await answerForm(await holdAgainAction(), returnPath(form));
}

export async function dismissEndedForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  await answerForm(await dismissEndedAction(), returnPath(form, "/"));
}
