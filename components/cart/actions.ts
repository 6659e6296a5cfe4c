"use server";

import { refresh } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import type { CartView, HoldState } from "@/lib/hold/cart-types";
import { extendHold } from "@/lib/cart/extend";
import { holdAgain } from "@/lib/shopper/hold-again";
import { readHoldState } from "@/lib/shopper/hold-state";
import { addToCart, emptyCart, setLineQuantity } from "@/lib/cart/mutations";
import { lineQuantitySchema, productIdSchema, quantitySchema } from "@/lib/cart/schemas";
import { config } from "@/lib/base/config";
import { ShopError } from "@/lib/base/shop-error";
import { currentCartId, forgetCart, rememberCart } from "@/lib/http/cart-session";
import { describeError } from "@/lib/http/error-response";
import { setFlash } from "@/lib/http/flash";
import { currentWaiterId, waiterIdForJoining } from "@/lib/http/waiter-session";
import { join, leave } from "@/lib/waitlist/entries";
import { clientIp } from "@/lib/http/request";
import { holdDuration } from "@/components/product/hold-duration";
import { postedForm } from "@/lib/http/posted-form";

/**
 * The cart's server actions. Each is called two ways: by the client components with typed
 * arguments (optimistic UI, the answer is a value), and, without JavaScript, by a plain HTML form
 * posting to its `…Form` twin, which answers with a redirect to a page that shows the result.
 */

export type ActionError = { code: string; message: string; available?: number; reason?: string };
export type CartActionResult = { ok: true; cart: CartView; note?: string } | { ok: false; error: ActionError };
export type HoldActionResult = { ok: true; state: HoldState; note?: string } | { ok: false; error: ActionError };

/** Same domain calls as the JSON API; refusals come back as values the UI can show. */
async function run<T extends object>(
  work: () => Promise<T>,
): Promise<({ ok: true } & T) | { ok: false; error: ActionError }> {
  try {
    const value = await work();
    refresh(); // re-render the page so "N left" reflects this change
    return { ok: true, ...value };
  } catch (error) {
    const { body } = describeError(error);
    const { code, message, available, reason } = body.error;
    return {
      ok: false,
      error: {
        code,
        message,
        ...(typeof available === "number" ? { available } : {}),
        ...(typeof reason === "string" ? { reason } : {}),
      },
    };
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, code: "invalid_request" | "invalid_quantity"): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  // The API says "quantity: must be at most 10"; a shopper is told what to choose instead.
  if (code === "invalid_quantity") {
    throw new ShopError(code, `Choose a quantity from 1 to ${config().maxQtyPerLine}; one shopper can hold that many.`);
  }
  throw new ShopError(code, parsed.error.issues[0]?.message ?? "Invalid input.");
}

const caller = async () => ({ cartId: await currentCartId(), clientIp: clientIp(await headers()) });
const holdState = async (cartId: string | null) => readHoldState(cartId, await currentWaiterId());
const holdFor = () => holdDuration(config().cartTtlSeconds);
const units = (n: number) => `${n} item${n === 1 ? "" : "s"}`;

export async function addToCartAction(productId: number, quantity: number): Promise<CartActionResult> {
  return run(async () => {
    const id = parse(productIdSchema, productId, "invalid_request");
    const qty = parse(quantitySchema(config().maxQtyPerLine), quantity, "invalid_quantity");
    const result = await addToCart(await caller(), id, qty);
    if (result.created) await rememberCart(result.cartId);
    const name = result.cart.items.find((i) => i.productId === id)?.name ?? "the item";
    return { cart: result.cart, note: `Added ${qty} × ${name} to your cart. It is held for you for ${holdFor()}.` };
  });
}

export async function setQuantityAction(productId: number, quantity: number): Promise<CartActionResult> {
  return run(async () => {
    const id = parse(productIdSchema, productId, "invalid_request");
    const qty = parse(lineQuantitySchema(config().maxQtyPerLine), quantity, "invalid_quantity");
    const cart = await setLineQuantity(await currentCartId(), id, qty);
    return { cart, note: qty === 0 ? "Removed from your cart." : "Quantity updated." };
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

/** Joins the line for a product that cannot be held now (invariant 8: units that come back go to the line first). */
export async function joinLineAction(productId: number, quantity: number): Promise<HoldActionResult> {
  return run(async () => {
    const id = parse(productIdSchema, productId, "invalid_request");
    const qty = parse(quantitySchema(config().maxQtyPerLine), quantity, "invalid_quantity");
    const { clientIp: clientKey, cartId } = await caller();
    const entry = await join({ waiterId: await waiterIdForJoining(), clientKey, cartId }, id, qty);
    const state = await holdState(cartId);
    return {
      state,
      // The page itself then shows the place (or the draw) and what happens next: the note only
      // confirms the step, so a page without JavaScript does not say the place twice.
      note: entry.drawAt ? `You entered the draw for the ${entry.name}.` : `You joined the line for the ${entry.name}.`,
    };
  });
}

/** Leaves the line; an open offer is declined with it and passes to the next in line. */
export async function leaveLineAction(productId: number): Promise<HoldActionResult> {
  return run(async () => {
    const id = parse(productIdSchema, productId, "invalid_request");
    await leave(await currentWaiterId(), id);
    return { state: await holdState(await currentCartId()), note: "You left the line." };
  });
}

// ---- The same actions as plain HTML forms (no JavaScript) -------------------------------------

/** A same-site path to come back to; anything else (another site, "//evil") means the cart. */
function returnPath(form: FormData, fallback = "/cart"): string {
  const to = postedForm(form).get("returnTo");
  // Printable ASCII only: anything else could not go into a Location header as it is.
  return typeof to === "string" && /^\/(?![/\\])[\x21-\x7e]*$/.test(to) && to.length <= 500 ? to : fallback;
}

const formNumber = (form: FormData, name: string): number => {
  const raw = form.get(name);
  return typeof raw === "string" && /^\d{1,10}$/.test(raw.trim()) ? Number(raw) : Number.NaN;
};

async function answer(
  result: { ok: true; note?: string } | { ok: false; error: ActionError },
  to: string,
): Promise<never> {
  if (result.ok) {
    if (result.note) await setFlash({ tone: "success", text: result.note });
  } else await setFlash({ tone: "error", text: result.error.message });
  redirect(to);
}

/** Add to cart without JavaScript: the cart shows what was added; a refusal goes back to the product. */
export async function addToCartForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  const result = await addToCartAction(formNumber(form, "productId"), formNumber(form, "quantity"));
  await answer(result, result.ok ? "/cart" : returnPath(form, "/"));
}

/** The steppers and Remove: each is a submit button carrying the line's new quantity. */
export async function setQuantityForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  await answer(await setQuantityAction(formNumber(form, "productId"), formNumber(form, "quantity")), returnPath(form));
}

export async function emptyCartForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  await answer(await emptyCartAction(), returnPath(form));
}

export async function extendHoldForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  await answer(await extendHoldAction(), returnPath(form));
}

export async function holdAgainForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  await answer(await holdAgainAction(), returnPath(form));
}

export async function joinLineForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  await answer(
    await joinLineAction(formNumber(form, "productId"), formNumber(form, "quantity")),
    returnPath(form, "/"),
  );
}

export async function leaveLineForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  await answer(await leaveLineAction(formNumber(form, "productId")), returnPath(form, "/"));
}

export async function dismissEndedForm(form: FormData): Promise<void> {
  postedForm(form); // anything but a form: 404, before anything changes
  await answer(await dismissEndedAction(), returnPath(form, "/"));
}
