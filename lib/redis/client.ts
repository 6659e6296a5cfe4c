import "server-only";
import { log, reason } from "../base/log";
import { Cluster, Redis, type RedisOptions, type Result } from "ioredis";
import { config } from "../base/config";
import { ADMIT_IN_WINDOW, END_CART, READ_CART, WRITE_CART } from "./scripts";

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
    admitInWindow(key: string, windowMs: number, limit: number, member: string): Result<number, Context>;
  }
}

/** A single Redis or a Redis Cluster: the app only uses what both offer. */
export type RedisClient = Redis | Cluster;

function withScripts<T extends RedisClient>(redis: T): T {
  redis.defineCommand("writeCart", { numberOfKeys: 3, lua: WRITE_CART });
  redis.defineCommand("readCart", { numberOfKeys: 3, lua: READ_CART });
  redis.defineCommand("endCart", { numberOfKeys: 3, lua: END_CART });
  redis.defineCommand("admitInWindow", { numberOfKeys: 1, lua: ADMIT_IN_WINDOW });
  return redis;
}

function logErrors(redis: RedisClient, name: string): void {
  let lastLogged = 0;
  redis.on("error", (error: Error) => {
    // ioredis retries by itself; one line every 10 s is enough to tell an operator.
    const now = Date.now();
    if (now - lastLogged < 10_000) return;
    lastLogged = now;
    log.error("redis_error", { connection: name, error: reason(error) });
  });
}

/** Connection options that fail fast (the web answers 503) instead of queueing for long. */
export const failFast = (name: string): RedisOptions => ({
  connectionName: name,
  connectTimeout: 2_000,
  commandTimeout: 2_000,
  maxRetriesPerRequest: 1,
  retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
});

/**
 * A connection to the configured Redis: a Cluster when REDIS_CLUSTER_NODES is set, otherwise the
 * single server of REDIS_URL (or of `url`, when a caller names one).
 */
export function createRedis(url?: string, name = "holdcart"): RedisClient {
  const nodes = url ? null : config().redisClusterNodes;
  const redis: RedisClient = nodes
    ? new Cluster(nodes, {
        lazyConnect: true,
        redisOptions: failFast(name),
        clusterRetryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
        // A failover moves slots: follow MOVED/ASK and retry briefly instead of failing at once.
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 300,
        slotsRefreshTimeout: 2_000,
        // Re-read the topology regularly, so a promoted replica is known (and the worker
        // subscribes to its events) even when no command has been redirected there yet.
        slotsRefreshInterval: 5_000,
      })
    : // The commands of one turn of the event loop in one write: in a drop's rush the door's rate
      // check alone is a command per request, and a write each cost the web more than the check.
      // Not on a Cluster: there ioredis fails a whole auto-pipeline whose slots moved (MOVED in
      // a batch with writes), which a failover or resharding must not do to shoppers' holds.
      new Redis(url ?? config().redisUrl, { lazyConnect: true, enableAutoPipelining: true, ...failFast(name) });
  logErrors(redis, name);
  return withScripts(redis);
}

/** The Redis database number keyspace events and pub/sub are scoped to (always 0 on a cluster). */
export function redisDatabase(): string {
  return config().redisClusterNodes ? "0" : new URL(config().redisUrl).pathname.slice(1) || "0";
}

const globalForRedis = globalThis as unknown as { __holdcartRedis?: RedisClient };

/** The process's shared command connection, created on first use (never during `next build`). */
export function redis(): RedisClient {
  globalForRedis.__holdcartRedis ??= createRedis();
  return globalForRedis.__holdcartRedis;
}

export async function closeRedis(): Promise<void> {
  const current = globalForRedis.__holdcartRedis;
  globalForRedis.__holdcartRedis = undefined;
  if (current) await current.quit().catch(() => current.disconnect());
}
