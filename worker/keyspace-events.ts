import type { Redis } from "ioredis";

/** The flags the worker needs in `notify-keyspace-events`: E (keyevent channel) and x (expired). */
export function withExpiredEvents(flags: string): string {
  let next = flags;
  if (!next.includes("E")) next += "E";
  // "A" is an alias that already includes "x".
  if (!next.includes("x") && !next.includes("A")) next += "x";
  return next;
}

/**
 * Makes sure Redis sends `expired` events, adding to the flags already set (never clobbering
 * them). Returns false where CONFIG is refused (managed Redis): the sweeper then works alone.
 */
export async function ensureExpiredEvents(redis: Redis): Promise<boolean> {
  try {
    const [, current = ""] = (await redis.config("GET", "notify-keyspace-events")) as [string, string];
    const wanted = withExpiredEvents(current);
    if (wanted !== current) await redis.config("SET", "notify-keyspace-events", wanted);
    return true;
  } catch (error) {
    const message = (error as Error).message;
    if (/unknown command|NOPERM|not allowed|disabled/i.test(message)) return false;
    throw error;
  }
}
