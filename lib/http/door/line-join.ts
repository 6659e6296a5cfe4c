import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { newRandomId } from "../../base/ids";
import { cartIdOf } from "../caller-cart";
import { CART_COOKIE, cookieIn, WAITER_COOKIE } from "../cookie-names";
import { cookieOptions, setCookieLine } from "../cookie-options";
import { joinLine, lineJoinSchema } from "../line-join";
import { assertJsonBody, assertSameOrigin, bodyTooLarge, jsonInput, MAX_BODY_BYTES } from "../request";
import { signWaiterId, verifyWaiterCookie, WAITER_COOKIE_SECONDS } from "../waiter-cookie";
import { headersOf } from "../raw-request";
import { readBody } from "./body-replay";
import { writeJson } from "./json-answer";
import { writeRefusal } from "./refusal";

/** Whether the door serves this request: joining the line, `POST /api/waitlist`. */
export const isLineJoin = (method: string | undefined, url: string): boolean =>
  method === "POST" && url.split("?", 1)[0] === "/api/waitlist";

/**
 * Joining the line served by the door, with the answers of Next's route (app/api/waitlist), in
 * its order: 403 cross-site, 415 not JSON, 413 over MAX_BODY_BYTES, 400 a body it does not take;
 * then the caller gets a waiter id (a signed cookie, set on whatever answer follows, as Next sets
 * it), and 201 with the entry, or the line's refusal. In a drop nearly every shopper refused an
 * add joins in the first seconds; through Next each join cost about 5 ms of the web's CPU, the
 * rush's largest share. `client` is the door's key for the caller, the one the caps count under.
 */
export function serveLineJoin(req: IncomingMessage, res: ServerResponse, client: string): void {
  if (res.destroyed) return; // left while the door asked Redis for its rate: its body is gone too
  const { headers } = req;
  const length = Number(headers["content-length"] ?? 0);
  try {
    assertSameOrigin({ headers: headersOf(headers) });
    assertJsonBody(headers["content-type"]);
    if (length > MAX_BODY_BYTES) throw bodyTooLarge(MAX_BODY_BYTES);
  } catch (error) {
    return writeRefusal(res, error);
  }
  void readBody(req, length).then(async (bytes) => {
    if (bytes === null) return; // gone: nobody reads the answer
    let setCookie: Record<string, string> = {};
    try {
      const body = jsonInput(bytes.toString("utf8"), lineJoinSchema());
      const waiterCookie = cookieIn(headers.cookie, WAITER_COOKIE);
      let waiterId = verifyWaiterCookie(waiterCookie);
      if (!waiterId) {
        waiterId = newRandomId();
        setCookie = {
          "set-cookie": setCookieLine(WAITER_COOKIE, signWaiterId(waiterId), cookieOptions(WAITER_COOKIE_SECONDS)),
        };
      }
      const cartId = await cartIdOf(cookieIn(headers.cookie, CART_COOKIE), waiterCookie);
      writeJson(res, 201, await joinLine(body, { waiterId, clientKey: client, cartId }), setCookie);
    } catch (error) {
      writeRefusal(res, error, setCookie);
    }
  });
}
