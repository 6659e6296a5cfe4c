import "server-only";
import { stockOf } from "../catalog/products";
import type { StockChange } from "./stock-change";
import { watchOffers, watchStock } from "./stock-feed";
import { stockMessage } from "./stock-hub";
import { streamRefusal, takeStreamSlot } from "./stream-slots";

const RETRY = new TextEncoder().encode("retry: 2000\n\n");
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
 * A live stock stream: first the current stock of `productIds` (`StockChange`, read as the hub reads it) (closing the gap between the
 * page render and the stream), then each change of them. It holds one of `client`'s stream slots
 * from this call on, and a subscription from the moment the snapshot is read; both end when the
 * request ends, however it ends (abort, reset, cancel, error, a client too slow to read).
 * Resolves to null when the request ended before the stream began: nobody reads the answer.
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
  const releaseSlot = takeStreamSlot(client);
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let unwatch: (() => void) | null = null;
  let unwatchOffers: (() => void) | null = null;
  let ended = false;
  const end = (reason?: Error) => {
    if (ended) return;
    ended = true;
    signal.removeEventListener("abort", onAbort);
    unwatch?.();
    unwatchOffers?.();
    releaseSlot();
    try {
      if (reason) controller?.error(reason);
      else controller?.close();
    } catch {
      // already closed or cancelled
    }
  };
  const onAbort = () => end();
  // Before any await: a client that leaves while the snapshot is read must be heard.
  signal.addEventListener("abort", onAbort);
  let snapshot: StockChange[] = [];
  try {
    if (!signal.aborted) snapshot = await stockOf(productIds);
  } catch (error) {
    end();
    throw error;
  }
  if (signal.aborted || ended) {
    end();
    return null;
  }
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        c.enqueue(RETRY);
        if (snapshot.length > 0) c.enqueue(stockMessage(snapshot));
        const watcher = {
          deliver(bytes: Uint8Array) {
            if ((c.desiredSize ?? 0) < -MAX_BACKLOG) {
              // An AbortError, so Next.js drops the connection without logging a failure.
              end(new DOMException("The client reads too slowly.", "AbortError"));
              return;
            }
            try {
              c.enqueue(bytes);
            } catch {
              end(); // the stream ended without telling us: let go of it all the same
            }
          },
        };
        unwatch = watchStock(productIds, watcher);
        if (waiterId) unwatchOffers = watchOffers(waiterId, watcher);
      },
      cancel() {
        end();
      },
    },
    { highWaterMark: 0 },
  );
}
