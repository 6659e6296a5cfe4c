import "server-only";
import { stockOf } from "../catalog/products";
import { log, reason } from "../base/log";
import type { OfferNotice } from "../hold/offer-events";
import { onOfferNotices, onStockChanges } from "../hold/stock-feed";
import { StockHub, type StockWatcher } from "./stock-hub";

type Watch = {
  hub: StockHub;
  /** Streams of shoppers in a waiting line, by waiter id: their own offers go to them alone. */
  waiters: Map<string, Set<StockWatcher>>;
};

// On globalThis: every route of the process (the stream, /api/health) must see the same hub.
const globalForWatch = globalThis as unknown as { __holdcartStockWatch?: Watch };

/**
 * The process's open stock streams, fed by its one subscription (lib/hold/stock-feed.ts): one hub
 * fans each change out to every stream watching the product, so a thousand watching shoppers
 * cost one Redis connection and one serialisation per change.
 */
function watch(): Watch {
  if (globalForWatch.__holdcartStockWatch) return globalForWatch.__holdcartStockWatch;
  // Each message a stream sends is read from the ledger when it is sent: see StockHub.
  const hub = new StockHub({ read: stockOf });
  const waiters = new Map<string, Set<StockWatcher>>();
  onStockChanges((changes) => hub.publish(changes));
  onOfferNotices((notices) => deliverOffers(waiters, notices));
  globalForWatch.__holdcartStockWatch = { hub, waiters };
  return globalForWatch.__holdcartStockWatch;
}

const encoder = new TextEncoder();

/** An `offer` event (not the default `message`): only pages that know of offers listen for it. */
function deliverOffers(waiters: Map<string, Set<StockWatcher>>, notices: readonly OfferNotice[]): void {
  for (const n of notices) {
    const watchers = waiters.get(n.waiterId);
    if (!watchers) continue;
    const bytes = encoder.encode(
      `event: offer\ndata: ${JSON.stringify({ productId: n.productId, units: n.units })}\n\n`,
    );
    for (const watcher of watchers) {
      try {
        watcher.deliver(bytes);
      } catch (error) {
        log.warn("stock_feed_failed", { error: reason(error) });
      }
    }
  }
}

/** Sends `watcher` the offers made to `waiterId` until the returned function is called. */
export function watchOffers(waiterId: string, watcher: StockWatcher): () => void {
  const { waiters } = watch();
  let set = waiters.get(waiterId);
  if (!set) waiters.set(waiterId, (set = new Set()));
  set.add(watcher);
  return () => {
    set.delete(watcher);
    if (set.size === 0 && waiters.get(waiterId) === set) waiters.delete(waiterId);
  };
}

/** Sends `watcher` the changes of `productIds` until the returned function is called. */
export function watchStock(productIds: readonly number[], watcher: StockWatcher): () => void {
  return watch().hub.watch(productIds, watcher);
}

/** Open stock subscriptions of this process (0 before the first stream). */
export function openStockSubscriptions(): number {
  return globalForWatch.__holdcartStockWatch?.hub.size ?? 0;
}
