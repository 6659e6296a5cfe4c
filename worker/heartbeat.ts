import { log, reason } from "../lib/base/log";
import { recordHeartbeat } from "../lib/hold/worker-heartbeats";

const HEARTBEAT_MS = 5_000;

/**
 * The expiry worker's liveness: its row in worker_heartbeats stamped now and every few seconds
 * (health, metrics and the dashboard read how long ago). A failed stamp is logged, never fatal:
 * releases matter more. Answers the first stamp and how to stop.
 */
export function startHeartbeat(
  workerId: string,
  record: (workerId: string) => Promise<void> = recordHeartbeat,
  everyMs = HEARTBEAT_MS,
): { first: Promise<void>; stop: () => void } {
  const beat = () =>
    record(workerId).catch((error: unknown) => log.error("heartbeat_failed", { error: reason(error) }));
  const timer = setInterval(() => void beat(), everyMs);
  return { first: beat(), stop: () => clearInterval(timer) };
}
