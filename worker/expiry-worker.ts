import { hostname } from "node:os";
import { config } from "../lib/base/config";
import { log } from "../lib/base/log";
import { subscribeToExpiredEvents } from "./expired-events";
import { startHeartbeat } from "./heartbeat";
import { releasePump } from "./release-pump";
import { sweeper } from "./sweeper";

const MAX_CONCURRENT_RELEASES = 8;

/**
 * The expiry worker: the fast path (Redis `expired` events of cart session keys, ./release-pump.ts),
 * the guarantee (a sweep over Postgres at each next deadline and at least every SWEEP_INTERVAL_MS,
 * ./sweeper.ts) and its liveness (./heartbeat.ts). Release is idempotent, so any number of workers,
 * duplicate events and sweeps end each cart once.
 */
export function startExpiryWorker(): { stop: () => Promise<void> } {
  const { sweepIntervalMs } = config();
  const workerId = `${hostname()}:${process.pid}`;
  const inFlight = new Set<Promise<unknown>>();
  let stopping = false;
  const stopped = () => stopping;
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => {});
    return work;
  };

  const sweeps = sweeper({ intervalMs: sweepIntervalMs, stopped, track });
  const heartbeat = startHeartbeat(workerId);
  const events = subscribeToExpiredEvents(releasePump({ maxConcurrent: MAX_CONCURRENT_RELEASES, stopped, track }));

  void (async () => {
    await heartbeat.first;
    log.info("worker_started", { worker: workerId, sweepIntervalMs });
    await sweeps.start();
  })();

  return {
    async stop() {
      stopping = true;
      sweeps.stop();
      heartbeat.stop();
      await events.stop();
      // Finish the releases in flight; the rest is left to the next sweep (of any worker).
      await Promise.allSettled([...inFlight]);
      log.info("worker_stopped", { worker: workerId });
    },
  };
}
