import "server-only";
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { RedisClient } from "../../redis/client";

/** Seconds a refused client should wait, or null when the request may go on. */
export type RateCheck = (client: string) => Promise<number | null>;

const KEY_PREFIX = "ratelimit:door";

/**
 * The door's per-client token bucket, shared by every web process and instance through Redis
 * (rate-limiter-flexible). A bucket of `burst` refilled at `perSecond` is played by two fixed
 * windows: `perSecond` requests in each second, and a reserve of the rest of the burst per the
 * time the bucket takes to refill. Three choices keep the door cheap and up:
 * - a key over its limit is blocked in this process's memory until its window ends, so a client
 *   hammering the door is refused without a Redis call (`inMemoryBlockOnConsumed`);
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
  const reserve = limits.burst - limits.perSecond;
  const bucket =
    reserve > 0
      ? new BurstyRateLimiter(
          steady,
          window(`${KEY_PREFIX}:burst`, reserve, Math.ceil(limits.burst / limits.perSecond)),
        )
      : steady;
  return async (client) => {
    try {
      await bucket.consume(client);
      return null;
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      return null;
    }
  };
}
