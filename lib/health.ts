import "server-only";
import { pg } from "./db/client";
import { openStockSubscriptions } from "./inventory/stock-feed";
import { ledgerStatus } from "./ledger/reconcile";
import { redis } from "./redis/client";

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

const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms).unref()),
  ]);

export async function checkHealth(): Promise<Health> {
  const [r, p, l] = await Promise.allSettled([
    within(2_000, redis().ping()),
    within(
      2_000,
      pg()<{ workerLastSeenMs: number | null; overdueCarts: number }[]>`
        select
          (select floor(extract(epoch from now() - max(seen_at)) * 1000)::int from worker_heartbeats) as "workerLastSeenMs",
          (select count(*)::int from carts where state = 'active' and expires_at <= now()) as "overdueCarts"`,
    ),
    within(2_000, ledgerStatus()),
  ]);
  const row = p.status === "fulfilled" ? p.value[0] : undefined;
  return {
    redis: r.status === "fulfilled" ? "ok" : "down",
    postgres: p.status === "fulfilled" ? "ok" : "down",
    workerLastSeenMs: row?.workerLastSeenMs ?? null,
    overdueCarts: row?.overdueCarts ?? null,
    streams: openStockSubscriptions(),
    ledger: l.status === "fulfilled" ? l.value.status : null,
  };
}
