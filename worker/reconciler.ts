import { log, reason } from "../lib/base/log";
import { reconcileOnce } from "../lib/ledger/reconcile";
import { workerMetrics } from "../lib/metrics/worker";

/**
 * Runs the reconciliation (lib/ledger/reconcile.ts) every `intervalMs`, one round at a time: the
 * ledger's drift is logged with the product and its numbers, never touched; Redis repairs are
 * logged and counted.
 */
export function startReconciler(intervalMs: number): { stop: () => Promise<void> } {
  const metrics = workerMetrics();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const round = async () => {
    try {
      const report = await reconcileOnce();
      for (const d of report.drift) {
        log.error("ledger_drift", {
          product: d.productId,
          slug: d.slug,
          onHand: d.onHand,
          available: d.available,
          reserved: d.reserved,
          sold: d.sold,
          held: d.held,
          problems: d.problems,
        });
      }
      for (const r of report.rebuilt)
        log.info("redis_repaired", { cart: r.cartId, action: "rebuilt", found: r.verdict });
      for (const id of report.deleted) log.info("redis_repaired", { cart: id, action: "deleted", found: "not_active" });
      metrics.redisRepairs.inc({ action: "rebuilt" }, report.rebuilt.length);
      metrics.redisRepairs.inc({ action: "deleted" }, report.deleted.length);
      metrics.ledgerDrift.set(report.drift.length);
      metrics.reconcileRuns.inc();
      metrics.lastReconcile.set(Date.now() / 1000);
      log.info("reconciled", {
        carts: report.checkedCarts,
        drift: report.drift.length,
        rebuilt: report.rebuilt.length,
        deleted: report.deleted.length,
      });
    } catch (error) {
      metrics.reconcileFailures.inc();
      log.error("reconcile_failed", { error: reason(error) });
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round().finally(schedule);
    }, intervalMs);
  };
  metrics.redisRepairs.inc({ action: "rebuilt" }, 0);
  metrics.redisRepairs.inc({ action: "deleted" }, 0);
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
