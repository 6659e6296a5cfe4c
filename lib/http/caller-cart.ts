import "server-only";
import { verifyCartCookie } from "../cart/cart-id";
import { waitersLiveCart } from "../cart/waiter-cart";
import { verifyWaiterCookie } from "./waiter-cookie";

/**
 * The caller's cart id from its cookies' raw values: the signed cart cookie's (null when absent,
 * forged or malformed); for a shopper in a waiting line, the cart units were handed to when the
 * cookie's is over. Apart from cart-session.ts, which reads Next's cookies, so the door can use it.
 */
export async function cartIdOf(
  cartCookie: string | undefined,
  waiterCookie: string | undefined,
): Promise<string | null> {
  const fromCookie = verifyCartCookie(cartCookie);
  const waiterId = verifyWaiterCookie(waiterCookie);
  if (!waiterId) return fromCookie;
  return (await waitersLiveCart(waiterId, fromCookie)) ?? fromCookie;
}
