import { route } from "@/lib/http/handler";
import { currentWaiterId } from "@/lib/http/waiter-session";
import { clientIp } from "@/lib/http/request";
import { STOCK_STREAM_HEADERS, streamedProductIds } from "@/lib/http/stock-stream-request";
import { assertStreamAllowed, openStockStream } from "@/lib/streams/stock-stream";

// The production web server answers this path at its door (lib/http/door/stock-stream.ts), so
// Next's request pipeline does not run for the thousand streams a drop opens in its first
// seconds; this route serves `npm run dev` and any server that puts Next's handler first.

/**
 * Server-sent events: the current stock (`StockChange`: available, reserved, next release) of the
 * requested products, then every change to them. Refused with 429 past the client's stream cap, 503 past the process's.
 */
export const GET = route(async (request) => {
  const stream = await openStockStream({
    productIds: streamedProductIds(new URL(request.url).searchParams),
    client: clientIp(request.headers),
    waiterId: await currentWaiterId(),
    signal: request.signal,
  });
  return new Response(stream, { headers: STOCK_STREAM_HEADERS });
});

/**
 * The answer GET would give, headers only. Without it Next.js answers HEAD by running GET and
 * dropping the body unread and uncancelled, which left a subscription behind per HEAD.
 */
export const HEAD = route(async (request) => {
  streamedProductIds(new URL(request.url).searchParams);
  assertStreamAllowed(clientIp(request.headers));
  return new Response(null, { headers: STOCK_STREAM_HEADERS });
});
