import "server-only";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { config } from "../../base/config";
import { newCartsRefusedForMs, tooManyNewCarts } from "../../cart/new-cart-limit";
import { verifyCartCookie } from "../../cart/cart-id";
import { addItemSchema } from "../../cart/schemas";
import { addRefusalOf, anyAddRefusalKnown, type KnownAddRefusal } from "../../hold/refused-adds";
import { streamRefusal } from "../../streams/stream-slots";
import type { ShopError } from "../../base/shop-error";
import { CART_COOKIE, cookiesIn, WAITER_COOKIE } from "../cookie-names";
import { isJsonBody, MAX_BODY_BYTES } from "../request";
import { isCrossSite } from "../same-origin";
import { headersOf } from "../raw-request";
import { verifyWaiterCookie } from "../waiter-cookie";
import { readBody, replayed } from "./body-replay";
import { isStockStream } from "./stock-stream";
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
): { reason: Exclude<DoorReason, "over_rate" | "not_released" | "sold_out">; refusal: ShopError } | null {
  if (isStockStream(method, url)) {
    const refusal = streamRefusal(client);
    return refusal && { reason: "stream_cap", refusal };
  }
  if (isAdd(method, url)) {
    // The memory first: an add of a client not refused costs no check of its cookies (an HMAC each).
    const waitMs = newCartsRefusedForMs(client);
    if (waitMs > 0 && !holdsOrWaits(headers.cookie)) return { reason: "new_carts", refusal: tooManyNewCarts(waitMs) };
  }
  return null;
}

/** An add to cart: `POST /api/cart/items`, whatever its query. */
const isAdd = (method: string | undefined, url: string) =>
  method === "POST" && url.split("?", 1)[0] === "/api/cart/items";

/**
 * The add the route would refuse from this process's memory, learnt from its own refusals: a
 * drop not yet open (409 not_released, lib/hold/unreleased.ts) or a product sold out (409
 * insufficient_stock, lib/hold/sold-out.ts), each known for a second at most. Only an add to a new
 * cart (no cart, no place in line), by a same-site request whose JSON body is one the route takes.
 * In a drop nearly every shopper's first add is one of these, and inside Next each cost about
 * 2.5 ms of the web's CPU, the rush's largest share. The door reads the body only while some
 * product is known so. Null at once when it cannot apply; else a promise of the refusal, or of
 * the request for Next to answer (its body to be read again: lib/http/door/body-replay.ts).
 */
export function knownAddRefusal(req: IncomingMessage): Promise<KnownAddRefusal | { forNext: IncomingMessage }> | null {
  const { headers } = req;
  const length = Number(headers["content-length"]);
  const applies =
    isAdd(req.method, req.url ?? "") &&
    anyAddRefusalKnown() &&
    length > 0 &&
    length <= MAX_BODY_BYTES &&
    isJsonBody(headers["content-type"]) &&
    !holdsOrWaits(headers.cookie) &&
    !isCrossSite(headersOf(headers));
  if (!applies) return null;
  return readBody(req, length).then((body) => {
    if (body === null) return { forNext: req }; // gone: nobody reads the answer
    return refusalOfAdd(body) ?? { forNext: replayed(req, body) };
  });
}

/** The route's refusal of this add body, if this process knows it. */
function refusalOfAdd(body: Buffer): KnownAddRefusal | null {
  let data: unknown;
  try {
    data = JSON.parse(body.toString("utf8"));
  } catch {
    return null; // the route words the problem
  }
  const add = addItemSchema(config().maxQtyPerLine).safeParse(data);
  if (!add.success || add.data.variantId !== undefined || add.data.productId === undefined) return null;
  return addRefusalOf(add.data.productId);
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
