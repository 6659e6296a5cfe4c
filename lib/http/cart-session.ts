import "server-only";
import { cookies } from "next/headers";
import { CART_COOKIE, cartCookieOptions, signCartId, verifyCartCookie } from "../cart/cart-id";
import { config } from "../config";

/** The cart id from the signed httpOnly cookie; null when absent, forged or malformed. */
export async function currentCartId(): Promise<string | null> {
  return verifyCartCookie((await cookies()).get(CART_COOKIE)?.value);
}

// The cookie outlives the hold a little; past the hold it only leads to "no cart".
export async function rememberCart(cartId: string): Promise<void> {
  (await cookies()).set(CART_COOKIE, signCartId(cartId), cartCookieOptions(config().cartTtlSeconds + 60));
}

export async function forgetCart(): Promise<void> {
  (await cookies()).set(CART_COOKIE, "", cartCookieOptions(0));
}
