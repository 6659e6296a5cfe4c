import "server-only";
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { RedisClient } from "../../redis/client";

/**
 * Seconds a refused client should wait, or null when the request may go on: at once for a
 * client already blocked in memory (no promise, no Redis call), else once Redis has counted it.
 */
export type RateCheck = (client: string) => number | null | Promise<number | null>;

const KEY_PREFIX = "ratelimit:door";

/** What the library keeps of a blocked key in memory (public in its code, absent from its types). */
type InMemoryBlocks = { getInMemoryBlockMsBeforeExpire(rlKey: string): number };

/**
 * The door's per-client token bucket, shared by every web process and instance through Redis
 * (rate-limiter-flexible). A bucket of `burst` refilled at `perSecond` is played by two fixed
 * windows: `perSecond` requests in each second, and a reserve of the rest of the burst per the
 * time the bucket takes to refill. Three choices keep the door cheap and up:
 * - a key over its limit is blocked in this process's memory until its window ends, so a client
 *   hammering the door is refused without a Redis call (`inMemoryBlockOnConsumed`), and here
 *   without a promise either;
 * - while Redis is not connected the same limits are counted in memory, per process, at once
 *   (`rejectIfRedisNotReady` + `insuranceLimiter`): an outage never takes the door down;
 * - anything else that fails lets the request in: the routes behind answer 503 themselves.
 */
export function createRateCheck(redis: RedisClient, limits: { perSecond: number; burst: number }): RateCheck {
  const window = (prefix: string, points: number, duration: number) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: prefix,
      points,
      duration,
      // The first refused request blocks the key in memory for the rest of its window.
      inMemoryBlockOnConsumed: points + 1,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: prefix, points, duration }),
    });
  const steady = window(KEY_PREFIX, limits.perSecond, 1);
  const extra = limits.burst - limits.perSecond;
  const reserve = extra > 0 ? window(`${KEY_PREFIX}:burst`, extra, Math.ceil(limits.burst / limits.perSecond)) : null;
  const bucket = reserve ? new BurstyRateLimiter(steady, reserve) : steady;

  /** Ms until a blocked key may try again; 0 when not blocked in memory. */
  const blockedFor = (limiter: RateLimiterRedis, client: string) =>
    (limiter as unknown as InMemoryBlocks).getInMemoryBlockMsBeforeExpire(limiter.getKey(client));
  const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

  return (client) => {
    // Refused by both windows: the bucket lets it in when the first of them ends.
    const steadyMs = blockedFor(steady, client);
    if (steadyMs > 0) {
      const reserveMs = reserve ? blockedFor(reserve, client) : steadyMs;
      if (reserveMs > 0) return seconds(Math.min(steadyMs, reserveMs));
    }
    return bucket.consume(client).then(
      () => null,
      (refusal: unknown) => (refusal instanceof RateLimiterRes ? seconds(refusal.msBeforeNext) : null),
    );
  };
}
