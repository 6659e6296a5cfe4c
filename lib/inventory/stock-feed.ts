import "server-only";
import { log, reason } from "../log";

import { stockOf } from "../catalog/products";
import { createRedis, type RedisClient } from "../redis/client";
import type { AvailableChange } from "./stock-change";
import { offerChannel, type OfferNotice } from "../waitlist/offer-events";
import { stockChannel } from "./stock-events";
import { StockHub, type StockWatcher } from "./stock-hub";

type Listener = (changes: readonly AvailableChange[]) => void;
type Feed = {
  subscriber: RedisClient;
  hub: StockHub;
  listeners: Set<Listener>;
  /** Streams of shoppers in a waiting line, by waiter id: their own offers go to them alone. */
  waiters: Map<string, Set<StockWatcher>>;
};

// On globalThis: every route of the process (the stream, /api/health) must see the same hub.
const globalForFeed = globalThis as unknown as { __holdcartStockFeed?: Feed };

const isChange = (c: unknown): c is AvailableChange =>
  typeof c === "object" &&
  c !== null &&
  Number.isInteger((c as AvailableChange).productId) &&
  Number.isInteger((c as AvailableChange).available);

/**
 * One Redis subscription per web process, fanned out by one hub to every open stock stream, so a
 * thousand watching shoppers cost one Redis connection and one serialisation per change.
 */
function feed(): Feed {
  if (globalForFeed.__holdcartStockFeed) return globalForFeed.__holdcartStockFeed;
  const subscriber = createRedis(undefined, "holdcart-stock-feed");
  // Each message a stream sends is read from the ledger when it is sent: see StockHub.
  const hub = new StockHub({ read: stockOf });
  const listeners = new Set<Listener>();
  const waiters = new Map<string, Set<StockWatcher>>();
  subscriber.on("message", (channel: string, message: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    if (!Array.isArray(parsed)) return;
    if (channel === offerChannel()) {
      deliverOffers(waiters, parsed);
      return;
    }
    const changes = parsed.filter(isChange).map(({ productId, available }) => ({ productId, available }));
    hub.publish(changes);
    for (const listener of listeners) listener(changes);
  });
  // On every (re)connection: a subscribe that failed while Redis was down is retried here.
  subscriber.on("ready", () => {
    subscriber
      .subscribe(stockChannel(), offerChannel())
      .catch((error: unknown) => log.warn("stock_feed_failed", { error: reason(error) }));
  });
  void subscriber.connect().catch(() => {});
  globalForFeed.__holdcartStockFeed = { subscriber, hub, listeners, waiters };
  return globalForFeed.__holdcartStockFeed;
}

const encoder = new TextEncoder();

/** An `offer` event (not the default `message`): only pages that know of offers listen for it. */
function deliverOffers(waiters: Map<string, Set<StockWatcher>>, notices: unknown[]): void {
  for (const n of notices as Partial<OfferNotice>[]) {
    const watchers = typeof n?.waiterId === "string" ? waiters.get(n.waiterId) : undefined;
    if (!watchers || !Number.isInteger(n.productId) || !Number.isInteger(n.units)) continue;
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
  const { waiters } = feed();
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
  return feed().hub.watch(productIds, watcher);
}

/** Calls `listener` with every stock message this process hears, until the returned function is called. */
export function onStockChanges(listener: Listener): () => void {
  const { listeners } = feed();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Open stock subscriptions of this process (0 before the first stream). */
export function openStockSubscriptions(): number {
  return globalForFeed.__holdcartStockFeed?.hub.size ?? 0;
}
