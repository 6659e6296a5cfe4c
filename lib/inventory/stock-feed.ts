import "server-only";

import { createRedis, type RedisClient } from "../redis/client";
import { stockChannel, type StockChange } from "./stock-events";

type Listener = (changes: StockChange[]) => void;
type Feed = { subscriber: RedisClient; listeners: Set<Listener> };

const globalForFeed = globalThis as unknown as { __holdcartStockFeed?: Feed };

/**
 * One Redis subscription per web process, fanned out to every open stock stream, so a
 * thousand watching shoppers cost one Redis connection, not a thousand.
 */
function feed(): Feed {
  if (globalForFeed.__holdcartStockFeed) return globalForFeed.__holdcartStockFeed;
  const subscriber = createRedis(undefined, "holdcart-stock-feed");
  const listeners = new Set<Listener>();
  subscriber.on("message", (_channel: string, message: string) => {
    let changes: StockChange[];
    try {
      changes = JSON.parse(message) as StockChange[];
    } catch {
      return;
    }
    for (const listener of listeners) listener(changes);
  });
  // On every (re)connection: a subscribe that failed while Redis was down is retried here.
  subscriber.on("ready", () => {
    subscriber.subscribe(stockChannel()).catch((error: Error) => console.error(`[stock-feed] ${error.message}`));
  });
  void subscriber.connect().catch(() => {});
  globalForFeed.__holdcartStockFeed = { subscriber, listeners };
  return globalForFeed.__holdcartStockFeed;
}

/** Calls `listener` with every stock change until the returned function is called. */
export function onStockChange(listener: Listener): () => void {
  const { listeners } = feed();
  listeners.add(listener);
  return () => listeners.delete(listener);
}
