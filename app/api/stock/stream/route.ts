import { route } from "@/lib/http/handler";
import { currentWaiterId } from "@/lib/http/waiter-session";
import { clientIp, parseProductId } from "@/lib/http/request";
import { assertStreamAllowed, openStockStream } from "@/lib/streams/stock-stream";

const MAX_IDS = 200;
const HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store, no-transform",
  "x-accel-buffering": "no",
};

const productIdsOf = (request: Request): number[] => {
  const raw = new URL(request.url).searchParams.get("ids") ?? "";
  return [...new Set(raw.split(",").filter(Boolean).slice(0, MAX_IDS).map(parseProductId))];
};

/**
 * Server-sent events: the current stock (`StockChange`: available, reserved, next release) of the
 * requested products, then every change to them. Refused with 429 past the client's stream cap, 503 past the process's.
 */
export const GET = route(async (request) => {
  const stream = await openStockStream({
    productIds: productIdsOf(request),
    client: clientIp(request.headers),
    waiterId: await currentWaiterId(),
    signal: request.signal,
  });
  return new Response(stream, { headers: HEADERS });
});

/**
 * The answer GET would give, headers only. Without it Next.js answers HEAD by running GET and
 * dropping the body unread and uncancelled, which left a subscription behind per HEAD.
 */
export const HEAD = route(async (request) => {
  productIdsOf(request);
  assertStreamAllowed(clientIp(request.headers));
  return new Response(null, { headers: HEADERS });
});
