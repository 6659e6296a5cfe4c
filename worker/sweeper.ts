import { log, reason } from "../lib/base/log";
import { within } from "../lib/base/timeout";
import { msUntilNextDrop, openDueDrops } from "../lib/drops/open-drops";
import { msUntilNextDeadline, overdueCartIds } from "../lib/hold/overdue";
import { logRelease, releaseCart, releaseOverdueBatch } from "../lib/hold/release";

const SWEEP_BATCH = 200;
// The sweeper wakes this long after the next deadline: time for the expiry event (the fast
// path) to arrive when Redis is not loaded; and never sooner than MIN_SWEEP_GAP_MS after a sweep.
const EVENT_GRACE_MS = 250;
const MIN_SWEEP_GAP_MS = 25;
const DROP_RETRY_MS = 100;
// A sweep that has not finished by then is abandoned (its transaction, if it ever commits, is
// still correct) so one hung connection cannot stop the sweeper, the guarantee of invariant 4.
const SWEEP_DEADLINE_MS = 10_000;

/**
 * How long the sweeper sleeps: until just after the next deadline (a mass expiry then ends within
 * a fraction of a second, however late Redis reports it) or the next drop's release, and at most
 * one interval (invariant 4). Null: no hold is live / no drop is due, or the read failed.
 */
export function nextSweepInMs(untilDeadline: number | null, untilDrop: number | null, intervalMs: number): number {
  const wake = Math.min(
    untilDeadline === null ? intervalMs : untilDeadline + EVENT_GRACE_MS,
    // A drop still due after this sweep (its opening failed) is tried again, not spun on.
    untilDrop === null ? intervalMs : Math.max(DROP_RETRY_MS, untilDrop),
  );
  return Math.max(MIN_SWEEP_GAP_MS, Math.min(intervalMs, wake));
}

export type SweeperOptions = {
  intervalMs: number;
  stopped: () => boolean;
  /** Wraps each piece of work, so a stopping worker can wait for it. */
  track: <T>(work: Promise<T>) => Promise<T>;
};

/**
 * The expiry worker's guarantee: a sweep over Postgres at each next deadline and at least every
 * `intervalMs`, because Redis' events are late under load, lost while nobody listens, and never
 * sent for keys a restarted Redis forgot. Each sweep releases the overdue carts, a batch at a time,
 * and opens the drops whose release time has come (lib/drops/open-drops.ts).
 */
export function sweeper({ intervalMs, stopped, track }: SweeperOptions): {
  start: () => Promise<void>;
  stop: () => void;
} {
  let timer: NodeJS.Timeout | undefined;

  const releaseOverdueOneByOne = async (limit: number) => {
    for (const cartId of await overdueCartIds(limit)) {
      if (stopped()) return;
      try {
        const released = await releaseCart(cartId, "sweep");
        if (released) logRelease(released);
      } catch (error) {
        log.error("release_failed", { cart: cartId, path: "sweep", error: reason(error) });
      }
    }
  };

  const sweep = async (): Promise<void> => {
    if (stopped()) return;
    try {
      for (;;) {
        const released = await track(within(SWEEP_DEADLINE_MS, releaseOverdueBatch(SWEEP_BATCH)));
        for (const r of released) logRelease(r);
        if (released.length < SWEEP_BATCH || stopped()) break;
      }
    } catch (error) {
      // One cart that cannot be released must not hold every other overdue cart hostage.
      log.error("sweep_failed", { error: reason(error) });
      await track(within(SWEEP_DEADLINE_MS, releaseOverdueOneByOne(SWEEP_BATCH))).catch(() => {});
    }
    try {
      await track(within(SWEEP_DEADLINE_MS, openDueDrops()));
    } catch (error) {
      log.error("drop_open_failed", { error: reason(error) });
    }
    const [untilDeadline, untilDrop] = await Promise.all([
      within(intervalMs, msUntilNextDeadline()).catch(() => null),
      within(intervalMs, msUntilNextDrop()).catch(() => null),
    ]);
    if (!stopped()) timer = setTimeout(() => void sweep(), nextSweepInMs(untilDeadline, untilDrop, intervalMs));
  };

  return { start: sweep, stop: () => clearTimeout(timer) };
}
