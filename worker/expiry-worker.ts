import { hostname } from "node:os";
import { config } from "../lib/base/config";
import { log, reason } from "../lib/base/log";
import { within } from "../lib/base/timeout";
import { recordHeartbeat } from "../lib/hold/worker-heartbeats";
import { msUntilNextDeadline, overdueCartIds } from "../lib/hold/overdue";
import { logRelease, releaseCart, releaseOverdueBatch } from "../lib/hold/release";
import { msUntilNextDrop, openDueDrops } from "../lib/drops/open-drops";
import { cartIdOfSessionKey } from "../lib/redis/keys";
import { subscribeToExpiredEvents } from "./expired-events";

const SWEEP_BATCH = 200;
// The sweeper wakes this long after the next deadline: time for the expiry event (the fast
// path) to arrive when Redis is not loaded; and never sooner than MIN_SWEEP_GAP_MS after a sweep.
const EVENT_GRACE_MS = 250;
const MIN_SWEEP_GAP_MS = 25;
const DROP_RETRY_MS = 100;
const HEARTBEAT_MS = 5_000;
const MAX_CONCURRENT_RELEASES = 8;
// A sweep that has not finished by then is abandoned (its transaction, if it ever commits, is
// still correct) so one hung connection cannot stop the sweeper, the guarantee of invariant 4.
const SWEEP_DEADLINE_MS = 10_000;

/**
 * The expiry worker. Fast path: Redis `expired` events for cart session keys. Guarantee: a
 * sweeper over Postgres at each next deadline and at least every SWEEP_INTERVAL_MS, because events are late under load, lost
 * while nobody listens, and never sent for keys a restarted Redis forgot. Release is
 * idempotent, so any number of workers, duplicate events and sweeps end each cart once. Each
 * sweep also opens the drops whose release time has come (lib/drops/open-drops.ts), and the
 * sweeper wakes at the next release as it does at the next deadline.
 */
export function startExpiryWorker(): { stop: () => Promise<void> } {
  const { sweepIntervalMs } = config();
  const workerId = `${hostname()}:${process.pid}`;
  const inFlight = new Set<Promise<unknown>>();
  const queued = new Set<string>();
  let stopped = false;

  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => {});
    return work;
  };

  // ---- fast path: expiry events -------------------------------------------------------
  const pending: string[] = [];
  let running = 0;
  const pump = () => {
    while (!stopped && running < MAX_CONCURRENT_RELEASES && pending.length > 0) {
      const cartId = pending.shift() as string;
      running += 1;
      void track(
        releaseCart(cartId, "event")
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
  const onExpiredKey = (key: string) => {
    const cartId = cartIdOfSessionKey(key);
    if (!cartId || queued.has(cartId) || stopped) return; // duplicates in flight are dropped here
    queued.add(cartId);
    pending.push(cartId);
    pump();
  };

  // ---- guarantee: the sweeper --------------------------------------------------------
  let sweepTimer: NodeJS.Timeout | undefined;
  const sweep = async () => {
    if (stopped) return;
    try {
      for (;;) {
        const released = await track(within(SWEEP_DEADLINE_MS, releaseOverdueBatch(SWEEP_BATCH)));
        for (const r of released) logRelease(r);
        if (released.length < SWEEP_BATCH || stopped) break;
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
    const wait = await nextSweepInMs();
    if (!stopped) sweepTimer = setTimeout(() => void sweep(), wait);
  };

  // Just after the next deadline (a mass expiry then ends within a fraction of a second,
  // however late Redis reports it), and at the latest one interval from now: invariant 4.
  const nextSweepInMs = async () => {
    const [untilDeadline, untilDrop] = await Promise.all([
      within(sweepIntervalMs, msUntilNextDeadline()).catch(() => null),
      within(sweepIntervalMs, msUntilNextDrop()).catch(() => null),
    ]);
    const wake = Math.min(
      untilDeadline === null ? sweepIntervalMs : untilDeadline + EVENT_GRACE_MS,
      // A drop still due after this sweep (its opening failed) is tried again, not spun on.
      untilDrop === null ? sweepIntervalMs : Math.max(DROP_RETRY_MS, untilDrop),
    );
    return Math.max(MIN_SWEEP_GAP_MS, Math.min(sweepIntervalMs, wake));
  };

  const releaseOverdueOneByOne = async (limit: number) => {
    for (const cartId of await overdueCartIds(limit)) {
      if (stopped) return;
      try {
        const released = await releaseCart(cartId, "sweep");
        if (released) logRelease(released);
      } catch (error) {
        log.error("release_failed", { cart: cartId, path: "sweep", error: reason(error) });
      }
    }
  };

  // ---- liveness: heartbeat -------------------------------------------------------------
  const heartbeat = async () => {
    try {
      await recordHeartbeat(workerId);
    } catch (error) {
      log.error("heartbeat_failed", { error: reason(error) });
    }
  };
  const heartbeatTimer = setInterval(() => void heartbeat(), HEARTBEAT_MS);
  const events = subscribeToExpiredEvents(onExpiredKey);

  void (async () => {
    await heartbeat();
    log.info("worker_started", { worker: workerId, sweepIntervalMs });
    await sweep();
  })();

  return {
    async stop() {
      stopped = true;
      clearTimeout(sweepTimer);
      clearInterval(heartbeatTimer);
      await events.stop();
      // Finish the releases in flight; the rest is left to the next sweep (of any worker).
      await Promise.allSettled([...inFlight]);
      log.info("worker_stopped", { worker: workerId });
    },
  };
}
