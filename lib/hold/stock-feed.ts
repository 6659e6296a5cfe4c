import "server-only";
import { log, reason } from "../base/log";
import { createRedis, type RedisClient } from "../redis/client";
import { offerChannel, type OfferNotice } from "./offer-events";
import type { AvailableChange } from "./stock-change";
import { stockChannel } from "./stock-events";

type Listener<T> = (messages: readonly T[]) => void;
type Feed = {
  subscriber: RedisClient;
  stock: Set<Listener<AvailableChange>>;
  offers: Set<Listener<OfferNotice>>;
};

// On globalThis: every route of the process (the stream, /api/health) must hear the same feed.
const globalForFeed = globalThis as unknown as { __holdcartStockFeed?: Feed };

const isChange = (c: unknown): c is AvailableChange =>
  typeof c === "object" &&
  c !== null &&
  Number.isInteger((c as AvailableChange).productId) &&
  Number.isInteger((c as AvailableChange).available);

const isOffer = (n: unknown): n is OfferNotice =>
  typeof n === "object" &&
  n !== null &&
  typeof (n as OfferNotice).waiterId === "string" &&
  Number.isInteger((n as OfferNotice).productId) &&
  Number.isInteger((n as OfferNotice).units);

/**
 * One Redis subscription per process to the stock and offer messages every web process and
 * worker publishes (stock-events.ts, offer-events.ts), handed to this process's listeners: the
 * sold-out flag, the shared pages, the stock streams' hub (lib/streams/stock-watch.ts).
 */
function feed(): Feed {
  if (globalForFeed.__holdcartStockFeed) return globalForFeed.__holdcartStockFeed;
  const subscriber = createRedis(undefined, "holdcart-stock-feed");
  const stock = new Set<Listener<AvailableChange>>();
  const offers = new Set<Listener<OfferNotice>>();
  subscriber.on("message", (channel: string, message: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    if (!Array.isArray(parsed)) return;
    if (channel === offerChannel()) {
      tell(offers, parsed.filter(isOffer));
      return;
    }
    tell(
      stock,
      parsed.filter(isChange).map(({ productId, available }) => ({ productId, available })),
    );
  });
  // On every (re)connection: a subscribe that failed while Redis was down is retried here.
  subscriber.on("ready", () => {
    subscriber
      .subscribe(stockChannel(), offerChannel())
      .catch((error: unknown) => log.warn("stock_feed_failed", { error: reason(error) }));
  });
  void subscriber.connect().catch(() => {});
  globalForFeed.__holdcartStockFeed = { subscriber, stock, offers };
  return globalForFeed.__holdcartStockFeed;
}

function tell<T>(listeners: Set<Listener<T>>, messages: readonly T[]): void {
  for (const listener of listeners) {
    try {
      listener(messages);
    } catch (error) {
      log.warn("stock_feed_failed", { error: reason(error) });
    }
  }
}

/** Calls `listener` with every stock message this process hears, until the returned function is called. */
export function onStockChanges(listener: Listener<AvailableChange>): () => void {
  const { stock } = feed();
  stock.add(listener);
  return () => stock.delete(listener);
}

/** Calls `listener` with every offer notice this process hears, until the returned function is called. */
export function onOfferNotices(listener: Listener<OfferNotice>): () => void {
  const { offers } = feed();
  offers.add(listener);
  return () => offers.delete(listener);
}
