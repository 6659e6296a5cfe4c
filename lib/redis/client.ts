import "server-only";
import { Redis, type Result } from "ioredis";
import { config } from "../config";
import { COUNT_IN_WINDOW, END_CART, READ_CART, WRITE_CART } from "./scripts";

declare module "ioredis" {
  interface RedisCommander<Context> {
    writeCart(session: string, lines: string, ended: string, ...args: (string | number)[]): Result<number, Context>;
    readCart(session: string, lines: string, ended: string): Result<[string | null, number, string[], number], Context>;
    endCart(
      session: string,
      lines: string,
      ended: string,
      version: number,
      tombstoneMs: number,
    ): Result<number, Context>;
    countInWindow(key: string, windowMs: number): Result<number, Context>;
  }
}

function withScripts(redis: Redis): Redis {
  redis.defineCommand("writeCart", { numberOfKeys: 3, lua: WRITE_CART });
  redis.defineCommand("readCart", { numberOfKeys: 3, lua: READ_CART });
  redis.defineCommand("endCart", { numberOfKeys: 3, lua: END_CART });
  redis.defineCommand("countInWindow", { numberOfKeys: 1, lua: COUNT_IN_WINDOW });
  return redis;
}

/** A Redis connection that fails fast (the web answers 503) instead of queueing for long. */
export function createRedis(url = config().redisUrl, name = "holdcart"): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: name,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  });
  let lastLogged = 0;
  redis.on("error", (error: Error) => {
    // ioredis retries by itself; one line every 10 s is enough to tell an operator.
    const now = Date.now();
    if (now - lastLogged < 10_000) return;
    lastLogged = now;
    console.error(`[redis:${name}] ${error.message}`);
  });
  return withScripts(redis);
}

const globalForRedis = globalThis as unknown as { __holdcartRedis?: Redis };

/** The process's shared command connection, created on first use (never during `next build`). */
export function redis(): Redis {
  globalForRedis.__holdcartRedis ??= createRedis();
  return globalForRedis.__holdcartRedis;
}

export async function closeRedis(): Promise<void> {
  const current = globalForRedis.__holdcartRedis;
  globalForRedis.__holdcartRedis = undefined;
  if (current) await current.quit().catch(() => current.disconnect());
}
