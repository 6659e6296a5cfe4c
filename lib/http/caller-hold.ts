import "server-only";
import { cartIdOf } from "./caller-cart";
import { CART_COOKIE, cookieIn, WAITER_COOKIE } from "./cookie-names";
import { verifyWaiterCookie } from "./waiter-cookie";
import type { HoldState } from "../hold/cart-types";
import { readHoldState } from "../shopper/hold-state";

/**
 * The hold of the caller whose raw Cookie header this is, as the layout shows it: the cart (or
 * the hold that ended, until dismissed) and the places in line. `GET /api/hold`, for the door
 * (lib/http/door/hold-read.ts) and Next's route alike. Reading changes nothing, cookies included.
 */
export async function callerHold(cookieHeader: string | undefined): Promise<HoldState> {
  const waiterCookie = cookieIn(cookieHeader, WAITER_COOKIE);
  const cartId = await cartIdOf(cookieIn(cookieHeader, CART_COOKIE), waiterCookie);
  return readHoldState(cartId, verifyWaiterCookie(waiterCookie));
}
