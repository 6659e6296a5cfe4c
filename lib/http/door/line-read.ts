import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { lineRead } from "../../streams/offer-wait";
import { waiterIdInCookies } from "../waiter-cookie";
import { writeJson } from "./json-answer";
import { writeRefusal } from "./refusal";

/** Whether the door serves this request: a read of the line, `GET /api/waitlist`. */
export const isLineRead = (method: string | undefined, url: string): boolean =>
  method === "GET" && url.split("?", 1)[0] === "/api/waitlist";

/**
 * A read of the line served by the door, with the answers of Next's route (app/api/waitlist):
 * the caller's places in line at once, or with `?wait=N` when one is offered units. Every page of
 * a drop's waiting shoppers reads it on load, and the pages without the stream hold its long
 * poll; through Next each cost about 2 ms of the web's CPU, in the rush's busiest seconds.
 */
export function serveLineRead(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? "";
  const query = url.indexOf("?");
  const wait = query === -1 ? null : new URLSearchParams(url.slice(query + 1)).get("wait");
  // A long poll ends with its request (the client left: nothing waits for an offer for it). A
  // client that left while the door asked Redis for its rate is gone already.
  if (res.destroyed) return;
  const gone = new AbortController();
  res.once("close", () => gone.abort());
  lineRead(waiterIdInCookies(req.headers.cookie), wait, gone.signal).then(
    (line) => writeJson(res, 200, line),
    (error: unknown) => writeRefusal(res, error),
  );
}
