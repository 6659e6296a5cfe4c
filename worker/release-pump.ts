import { log, reason } from "../lib/base/log";
import { logRelease, releaseCart, type Released } from "../lib/hold/release";
import { cartIdOfSessionKey } from "../lib/redis/keys";

export type ReleasePumpOptions = {
  /** Releases running at once; the rest wait in arrival order. */
  maxConcurrent: number;
  /** Whether the worker is stopping: nothing new starts then. */
  stopped: () => boolean;
  /** Called with each release's promise, so a stopping worker can wait for it. */
  track: (work: Promise<unknown>) => void;
  release?: (cartId: string) => Promise<Released | null>;
};

/**
 * The expiry worker's fast path: each Redis `expired` event of a cart's session key releases that
 * cart, at most `maxConcurrent` at a time. An event for a cart already queued or releasing is
 * dropped (Redis may send one twice; release is idempotent anyway). Answers the event handler.
 */
export function releasePump({
  maxConcurrent,
  stopped,
  track,
  release = (cartId) => releaseCart(cartId, "event"),
}: ReleasePumpOptions): (expiredKey: string) => void {
  const queued = new Set<string>();
  const pending: string[] = [];
  let running = 0;
  const pump = () => {
    while (!stopped() && running < maxConcurrent && pending.length > 0) {
      const cartId = pending.shift() as string;
      running += 1;
      track(
        release(cartId)
          .then((released) => released && logRelease(released))
          .catch((error: unknown) => log.error("release_failed", { cart: cartId, path: "event", error: reason(error) }))
          .finally(() => {
            running -= 1;
            queued.delete(cartId);
            pump();
          }),
      );
    }
  };
  return (key) => {
    const cartId = cartIdOfSessionKey(key);
    if (!cartId || queued.has(cartId) || stopped()) return;
    queued.add(cartId);
    pending.push(cartId);
    pump();
  };
}
