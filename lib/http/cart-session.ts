import "server-only";
import { cookies } from "next/headers";
import { CART_COOKIE, signCartId } from "../cart/cart-id";
import { cartIdOf } from "./caller-cart";
import { cookieOptions } from "./cookie-options";
import { markWaitersCart } from "../cart/waiter-cart";
import { config } from "../base/config";
import { verifyWaiterCookie, WAITER_COOKIE } from "./waiter-session";

/**
 * The caller's cart id: from the signed httpOnly cookie (null when absent, forged or malformed);
 * for a shopper in a waiting line, the cart units were handed to when the cookie's is over.
 */
export async function currentCartId(): Promise<string | null> {
  const jar = await cookies();
  return cartIdOf(jar.get(CART_COOKIE)?.value, jar.get(WAITER_COOKIE)?.value);
}

/**
 * The cookie outlives the hold by a day: a shopper who comes back after it ended is told which
 * items went back to stock (lib/shopper/hold-state.ts) until they dismiss it or hold them again.
 */
const ENDED_NOTICE_SECONDS = 24 * 3600;

export async function rememberCart(cartId: string): Promise<void> {
  const jar = await cookies();
  jar.set(CART_COOKIE, signCartId(cartId), cookieOptions(config().cartTtlSeconds + ENDED_NOTICE_SECONDS));
  // A shopper in a waiting line: units handed to them go into this cart from now on.
  const waiterId = verifyWaiterCookie(jar.get(WAITER_COOKIE)?.value);
  if (waiterId) await markWaitersCart(cartId, waiterId);
}

export async function forgetCart(): Promise<void> {
  (await cookies()).set(CART_COOKIE, "", cookieOptions(0));
}
