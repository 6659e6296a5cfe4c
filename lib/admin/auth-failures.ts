import "server-only";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { log } from "../base/log";
import { redis } from "../redis/client";
import { ShopError } from "../base/shop-error";

/**
 * Wrong admin credentials one client may present (a bearer token, a forged session, a sign-in)
 * within WINDOW_SECONDS; past them every admin request of that client is refused with 429 until
 * the window ends, whatever it sends, so guessing ADMIN_TOKEN gets 10 tries a quarter of an hour
 * instead of hundreds a second. Counted in Redis (every web process and instance together), in
 * memory per process while Redis is away. Each failure is logged with its client.
 */
export const MAX_ADMIN_FAILURES = 10;
const WINDOW_SECONDS = 15 * 60;
const KEY_PREFIX = "ratelimit:admin-auth";

let limiter: RateLimiterRedis | null = null;
const failures = (): RateLimiterRedis =>
  (limiter ??= new RateLimiterRedis({
    storeClient: redis(),
    keyPrefix: KEY_PREFIX,
    points: MAX_ADMIN_FAILURES,
    duration: WINDOW_SECONDS,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({
      keyPrefix: KEY_PREFIX,
      points: MAX_ADMIN_FAILURES,
      duration: WINDOW_SECONDS,
    }),
  }));

/** The refusal of a client that used up its failures: when it may try again. */
const lockedOut = (msBeforeNext: number) => {
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new ShopError(
    "rate_limited",
    `Too many wrong admin tokens from your address: try again in ${Math.ceil(retryAfter / 60)} minutes.`,
    { retryAfter },
  );
};

/** Throws 429 `rate_limited` when `client` has no admin tries left in this window. */
export async function assertAdminTriesLeft(client: string): Promise<void> {
  const used = await failures()
    .get(client)
    .catch(() => null);
  if (used && used.consumedPoints >= MAX_ADMIN_FAILURES) throw lockedOut(used.msBeforeNext);
}

/** Counts and logs a wrong admin credential from `client`; throws 429 when that was its last try. */
export async function recordAdminFailure(client: string, how: "bearer" | "session" | "sign_in"): Promise<void> {
  log.warn("admin_auth_failed", { client, how });
  try {
    await failures().consume(client);
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) throw lockedOut(refusal.msBeforeNext);
    // Counting failed (Redis and its stand-in both refused): the wrong token is refused all the same.
  }
}
