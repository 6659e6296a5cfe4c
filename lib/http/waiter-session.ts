import "server-only";
import { cookies } from "next/headers";
import { cartCookieOptions, newCartId, signCartId, verifyCartCookie } from "../cart/cart-id";

/**
 * Who waits in line: a random id in a signed httpOnly cookie (the same signature as the cart
 * cookie), given when a shopper first joins a line. It outlives any one cart: units handed to the
 * shopper go into whichever cart they have then (lib/waitlist/hand-off.ts).
 */
export const WAITER_COOKIE = "waiter";
const THIRTY_DAYS = 30 * 24 * 3600;

/** The caller's waiter id; null when they never joined a line (or the cookie was tampered with). */
export async function currentWaiterId(): Promise<string | null> {
  return verifyCartCookie((await cookies()).get(WAITER_COOKIE)?.value);
}

/** The caller's waiter id, given now if they have none. */
export async function waiterIdForJoining(): Promise<string> {
  const known = await currentWaiterId();
  if (known) return known;
  const id = newCartId();
  (await cookies()).set(WAITER_COOKIE, signCartId(id), cartCookieOptions(THIRTY_DAYS));
  return id;
}
