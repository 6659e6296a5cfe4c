import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable, pipeline } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { openStockStream } from "../../streams/stock-stream";
import { streamRefusal } from "../../streams/stream-slots";
import { STOCK_STREAM_HEADERS, streamedProductIds } from "../stock-stream-request";
import { waiterIdInCookies } from "../waiter-cookie";
import { writeRefusal } from "./refusal";

/** Whether the door serves this request: the live stock stream, `GET` or `HEAD`. */
export const isStockStream = (method: string | undefined, url: string): boolean =>
  (method === "GET" || method === "HEAD") && url.split("?", 1)[0] === "/api/stock/stream";

/**
 * The live stock stream served by the door itself, with the answers of Next's route
 * (app/api/stock/stream) and the same stream (lib/streams/stock-stream.ts): its slot, hub and
 * offers are this process's, shared through globalThis. A stream needs nothing of Next's, yet
 * opened through Next it cost 3.1-4.3 ms of the web's CPU, and in a drop a thousand pages open
 * one in the first seconds while the bots open forty at a time. `client` is the door's key for
 * the caller, the one the caps count under.
 */
export function serveStockStream(req: IncomingMessage, res: ServerResponse, client: string): void {
  const url = req.url ?? "";
  const query = url.indexOf("?");
  let productIds: number[];
  try {
    productIds = streamedProductIds(new URLSearchParams(query === -1 ? "" : url.slice(query + 1)));
  } catch (error) {
    return writeRefusal(res, error);
  }
  if (req.method === "HEAD") {
    const refusal = streamRefusal(client);
    if (refusal) return writeRefusal(res, refusal);
    res.writeHead(200, STOCK_STREAM_HEADERS);
    return void res.end();
  }
  // The stream ends with its request, however that ends (invariant 10). A client that left while
  // the door asked Redis for its rate is gone already: its 'close' came before this listener.
  if (res.destroyed) return;
  const gone = new AbortController();
  res.once("close", () => gone.abort());
  openStockStream({ productIds, client, waiterId: waiterIdInCookies(req.headers.cookie), signal: gone.signal }).then(
    (stream) => {
      // Ended before it began: the client left, or the server is stopping (as the route, an empty
      // 200; the page's EventSource opens it again, on another process).
      if (!stream) return void (res.destroyed ? undefined : res.writeHead(200, STOCK_STREAM_HEADERS).end());
      res.writeHead(200, STOCK_STREAM_HEADERS);
      // Back pressure from the socket reaches the stream, which drops a reader too slow for it.
      // A stream that errs (too slow) is cut, as Next cuts it; one that ends (the server stopping) ends.
      pipeline(Readable.fromWeb(stream as WebReadableStream<Uint8Array>), res, () => {});
    },
    (error: unknown) => writeRefusal(res, error),
  );
}
