import "server-only";
import { stockOf } from "../catalog/products";
import { openEventStream } from "./event-stream";
import { watchOffers, watchStock } from "./stock-watch";
import { stockMessage } from "./stock-hub";
import { streamRefusal } from "./stream-slots";

/**
 * Messages queued for a client that stopped reading before its stream is dropped (it reconnects
 * and starts from a fresh snapshot): a stalled reader cannot make the queue grow without bound.
 */
const MAX_BACKLOG = 256;

/** Throws the refusal a stream for `client` would get now, without opening one (for HEAD). */
export function assertStreamAllowed(client: string): void {
  const refusal = streamRefusal(client);
  if (refusal) throw refusal;
}

/**
 * A live stock stream: first the current stock of `productIds` (`StockChange`, read as the hub
 * reads it, closing the gap between the page render and the stream), then each change of them,
 * and the caller's own offers. Subscribed before the snapshot is read (lib/streams/event-stream.ts),
 * so no change falls in between. Null when the request ended before the stream began.
 */
export async function openStockStream({
  productIds,
  client,
  waiterId = null,
  signal,
}: {
  productIds: readonly number[];
  client: string;
  /** The caller's waiter id (a signed cookie): their own offers come on this stream too. */
  waiterId?: string | null;
  signal: AbortSignal;
}): Promise<ReadableStream<Uint8Array> | null> {
  return openEventStream({
    client,
    signal,
    maxBacklog: MAX_BACKLOG,
    subscribe(sink) {
      const unwatch = watchStock(productIds, sink);
      const unwatchOffers = waiterId ? watchOffers(waiterId, sink) : null;
      return () => {
        unwatch();
        unwatchOffers?.();
      };
    },
    snapshot: () => stockOf(productIds),
    opening: (stock) => (stock.length > 0 ? [stockMessage(stock)] : []),
  });
}
