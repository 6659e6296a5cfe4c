"use server";

import { refresh } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import type { CartView } from "@/lib/cart/cart-view";
import { extendHold } from "@/lib/cart/extend";
import { addToCart, emptyCart, setLineQuantity } from "@/lib/cart/mutations";
import { getCart } from "@/lib/cart/read";
import { lineQuantitySchema, quantitySchema } from "@/lib/cart/schemas";
import { config } from "@/lib/config";
import { ShopError } from "@/lib/errors";
import { currentCartId, forgetCart, rememberCart } from "@/lib/http/cart-session";
import { describeError } from "@/lib/http/errors";
import { clientIp } from "@/lib/http/request";

export type CartActionResult =
  | { ok: true; cart: CartView }
  | { ok: false; error: { code: string; message: string; available?: number; reason?: string } };

const productIdSchema = z.number().int().min(1).max(2_147_483_647);

/** Same domain calls as the JSON API; refusals come back as values the UI can show. */
async function run(work: () => Promise<CartView>): Promise<CartActionResult> {
  try {
    const cart = await work();
    refresh(); // re-render the page so "N left" reflects this change
    return { ok: true, cart };
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
  if (!parsed.success) throw new ShopError(code, parsed.error.issues[0]?.message ?? "Invalid input.");
  return parsed.data;
}

export async function addToCartAction(productId: number, quantity: number): Promise<CartActionResult> {
  return run(async () => {
    const id = parse(productIdSchema, productId, "invalid_request");
    const qty = parse(quantitySchema(config().maxQtyPerLine), quantity, "invalid_quantity");
    const result = await addToCart({ cartId: await currentCartId(), clientIp: clientIp(await headers()) }, id, qty);
    if (result.created) await rememberCart(result.cartId);
    return result.cart;
  });
}

export async function setQuantityAction(productId: number, quantity: number): Promise<CartActionResult> {
  return run(async () => {
    const id = parse(productIdSchema, productId, "invalid_request");
    const qty = parse(lineQuantitySchema(config().maxQtyPerLine), quantity, "invalid_quantity");
    return setLineQuantity(await currentCartId(), id, qty);
  });
}

export async function emptyCartAction(): Promise<CartActionResult> {
  return run(async () => {
    await emptyCart(await currentCartId());
    await forgetCart();
    return getCart(null);
  });
}

/** Keeps the hold for another CART_TTL_SECONDS (refused past MAX_HOLD_EXTENSIONS). */
export async function extendHoldAction(): Promise<CartActionResult> {
  return run(async () => {
    const cartId = await currentCartId();
    const cart = await extendHold(cartId);
    if (cartId) await rememberCart(cartId);
    return cart;
  });
}

/** The cart as the server sees it now (after the countdown ran out, say). */
export async function refreshCartAction(): Promise<CartActionResult> {
  return run(async () => getCart(await currentCartId()));
}
