import "server-only";
import { log, reason } from "../base/log";
import { config } from "../base/config";
import { databaseName } from "../base/database-url";
import { redis, redisDatabase } from "../redis/client";
import type { AvailableChange } from "./stock-change";

export type { AvailableChange };

/**
 * Pub/sub channel for "available changed" messages. Pub/sub ignores Redis databases (and a
 * cluster has only one), so the channel names the Redis db and the Postgres database: stores
 * sharing a Redis, test runs included, never hear each other.
 */
export function stockChannel(): string {
  const store = databaseName(config().databaseUrl);
  return `stock:db${redisDatabase()}:${store}`;
}

/**
 * Best effort: a lost message only delays a page refresh, never changes stock. Streams do not
 * forward it as is: each reads the product's current stock when it sends (StockHub).
 */
export async function publishStockChanges(changes: readonly AvailableChange[]): Promise<void> {
  if (changes.length === 0) return;
  try {
    await redis().publish(stockChannel(), JSON.stringify(changes));
  } catch (error) {
    log.warn("stock_publish_failed", { error: reason(error) });
  }
}
