import "server-only";
import { cookies } from "next/headers";
import { CART_COOKIE, cartCookieOptions, signCartId, verifyCartCookie } from "../cart/cart-id";
import { config } from "../config";

/** The cart id from the signed httpOnly cookie; null when absent, forged or malformed. */
export async function currentCartId(): Promise<string | null> {
  return verifyCartCookie((await cookies()).get(CART_COOKIE)?.value);
}

/**
 * The cookie outlives the hold by a day: a shopper who comes back after it ended is told which
 * items went back to stock (lib/cart/hold-state.ts) until they dismiss it or hold them again.
 */
const ENDED_NOTICE_SECONDS = 24 * 3600;

export async function rememberCart(cartId: string): Promise<void> {
  (await cookies()).set(
    CART_COOKIE,
    signCartId(cartId),
    cartCookieOptions(config().cartTtlSeconds + ENDED_NOTICE_SECONDS),
  );
}

export async function forgetCart(): Promise<void> {
  (await cookies()).set(CART_COOKIE, "", cartCookieOptions(0));
}
