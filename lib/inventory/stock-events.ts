import "server-only";
import { config } from "../config";
import { redis } from "../redis/client";

export type StockChange = { productId: number; available: number };

/**
 * Pub/sub channel for "available changed" messages. Pub/sub ignores Redis databases, so the
 * channel is named after the database to keep separate stores (and test runs) apart.
 */
export function stockChannel(): string {
  const db = new URL(config().redisUrl).pathname.slice(1) || "0";
  return `stock:db${db}`;
}

/** Best effort: a lost message only delays a page refresh, never changes stock. */
export async function publishStockChanges(changes: readonly StockChange[]): Promise<void> {
  if (changes.length === 0) return;
  try {
    await redis().publish(stockChannel(), JSON.stringify(changes));
  } catch (error) {
    console.error(`[stock] publish failed: ${(error as Error).message}`);
  }
}
