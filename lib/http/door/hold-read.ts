import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { callerHold } from "../caller-hold";
import { writeJson } from "./json-answer";
import { writeRefusal } from "./refusal";

/** Whether the door serves this request: a read of the caller's hold, `GET /api/hold`. */
export const isHoldRead = (method: string | undefined, url: string): boolean =>
  method === "GET" && url.split("?", 1)[0] === "/api/hold";

/**
 * A read of the caller's hold served by the door, with the answer of Next's route (app/api/hold):
 * every full page load of a shopper who holds something and runs the pages' script makes one, as
 * the page it is sent is the render every shopper shares.
 */
export function serveHoldRead(req: IncomingMessage, res: ServerResponse): void {
  if (res.destroyed) return; // the client left while the door asked Redis for its rate
  callerHold(req.headers.cookie).then(
    (hold) => writeJson(res, 200, hold),
    (error: unknown) => writeRefusal(res, error),
  );
}
