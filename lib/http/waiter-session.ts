import "server-only";
import { cookies } from "next/headers";
import { WAITER_COOKIE } from "./cookie-names";
import { cookieOptions } from "./cookie-options";
import { newRandomId } from "../base/ids";
import { signWaiterId, verifyWaiterCookie, WAITER_COOKIE_SECONDS } from "./waiter-cookie";

/**
 * Who waits in line: a random id in a signed httpOnly cookie (signed for this purpose alone, so a
 * cart cookie is never taken for it), given when a shopper first joins a line. It outlives any one cart: units handed to the
 * shopper go into whichever cart they have then (lib/hold/hand-off.ts).
 */
export { WAITER_COOKIE } from "./cookie-names";

export { verifyWaiterCookie } from "./waiter-cookie";

/** The caller's waiter id; null when they never joined a line (or the cookie was tampered with). */
export async function currentWaiterId(): Promise<string | null> {
  return verifyWaiterCookie((await cookies()).get(WAITER_COOKIE)?.value);
}

/** The caller's waiter id, given now if they have none. */
export async function waiterIdForJoining(): Promise<string> {
  const known = await currentWaiterId();
  if (known) return known;
  const id = newRandomId();
  (await cookies()).set(WAITER_COOKIE, signWaiterId(id), cookieOptions(WAITER_COOKIE_SECONDS));
  return id;
}
