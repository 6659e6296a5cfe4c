import "server-only";
import { countActiveCarts } from "../hold/overdue";
import { openStockSubscriptions } from "../streams/stock-watch";
import { ledgerStatus } from "../ledger/reconcile";
import { redis } from "../redis/client";
import { within } from "../base/timeout";
import { msSinceAnyHeartbeat } from "../hold/worker-heartbeats";

// A health check answers within this, whatever a backend does: a load balancer is waiting.
const CHECK_MS = 2_000;

export type Health = {
  redis: "ok" | "down";
  postgres: "ok" | "down";
  /** Milliseconds since any expiry worker last wrote its heartbeat; null when none ever did. */
  workerLastSeenMs: number | null;
  /** Active carts past their deadline: above zero for longer than a sweep means no worker runs. */
  overdueCarts: number | null;
  /** Open live stock streams (subscriptions) of this web process. */
  streams: number;
  /**
   * Invariants 1 and 2 over every product (lib/ledger/reconcile.ts): "drift" means the stock
   * ledger does not add up and someone must look (it is never repaired by itself); null while
   * Postgres cannot be read. Not a reason to take the instance out of rotation: the status stays 200.
   */
  ledger: "ok" | "drift" | null;
};

export async function checkHealth(): Promise<Health> {
  const [r, beat, carts, l] = await Promise.allSettled([
    within(CHECK_MS, redis().ping()),
    within(CHECK_MS, msSinceAnyHeartbeat()),
    within(CHECK_MS, countActiveCarts()),
    within(CHECK_MS, ledgerStatus()),
  ]);
  return {
    redis: r.status === "fulfilled" ? "ok" : "down",
    postgres: beat.status === "fulfilled" && carts.status === "fulfilled" ? "ok" : "down",
    workerLastSeenMs: beat.status === "fulfilled" ? beat.value : null,
    overdueCarts: carts.status === "fulfilled" ? carts.value.overdue : null,
    streams: openStockSubscriptions(),
    ledger: l.status === "fulfilled" ? l.value.status : null,
  };
}
