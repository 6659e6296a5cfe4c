import "server-only";
import type { IncomingHttpHeaders } from "node:http";
import { newCartsRefusedForMs, tooManyNewCarts } from "../../cart/new-cart-limit";
import { verifyCartCookie } from "../../cart/cart-id";
import { streamRefusal } from "../../streams/stream-slots";
import type { ShopError } from "../../base/shop-error";
import { CART_COOKIE, cookiesIn, WAITER_COOKIE } from "../cookie-names";
import { verifyWaiterCookie } from "../waiter-cookie";
import type { DoorReason } from "./door-metrics";

/**
 * A refusal the route would give, known from this process's memory before Next runs, for a
 * well-formed request (the door does not read bodies): a client at its cap of stock streams
 * opening another (lib/streams/stream-slots.ts: the same count the route takes its slot from),
 * and a client whose new carts are refused for the rest of the window asking to hold with no cart
 * (lib/cart/new-cart-limit.ts: remembered from the route's last refusal of it). In a drop bots ask
 * for both in bursts, a fresh cart and forty streams at a time: refused inside Next, each cost
 * about 1 ms of the web's CPU; here, a small fraction of that. Null: Next answers.
 */
export function knownRefusal(
  method: string | undefined,
  url: string,
  headers: IncomingHttpHeaders,
  client: string,
): { reason: Exclude<DoorReason, "over_rate">; refusal: ShopError } | null {
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  if (path === "/api/stock/stream" && (method === "GET" || method === "HEAD")) {
    const refusal = streamRefusal(client);
    return refusal && { reason: "stream_cap", refusal };
  }
  if (path === "/api/cart/items" && method === "POST") {
    // The memory first: an add of a client not refused costs no check of its cookies (an HMAC each).
    const waitMs = newCartsRefusedForMs(client);
    if (waitMs > 0 && !holdsOrWaits(headers.cookie)) return { reason: "new_carts", refusal: tooManyNewCarts(waitMs) };
  }
  return null;
}

/**
 * Whether the request brings a cart or a place in line (signed cookies): the add may go to a cart
 * it has (a waiter's cart is found through the line), so only the route can tell.
 */
function holdsOrWaits(cookieHeader: string | undefined): boolean {
  if (!cookieHeader) return false;
  for (const [name, value] of cookiesIn(cookieHeader)) {
    if (name === CART_COOKIE && verifyCartCookie(value)) return true;
    if (name === WAITER_COOKIE && verifyWaiterCookie(value)) return true;
  }
  return false;
}
