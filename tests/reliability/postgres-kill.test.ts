import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { recordFigures } from "../support/figures";
import { invariantViolations } from "../support/invariants";
import { countersOf, createProduct } from "../support/ledger";
import { shoppersAdding, sleep, total } from "../support/load";
import { WebProcess } from "../../scripts/harness/web-process";
import { WorkerProcess } from "../../scripts/harness/worker-process";
import { setTestConfig } from "../support/config";

setTestConfig({ CART_TTL_SECONDS: "4" });
const SWEEP_MS = 500;

describe("Postgres connections are killed under load", () => {
  it("the web answers 503 (never 500) while its connections die, recovers, and the ledger stays sound", async () => {
    const products = await Promise.all([createProduct(100_000), createProduct(100_000)]);
    const web = new WebProcess({ SWEEP_INTERVAL_MS: String(SWEEP_MS) });
    const worker = new WorkerProcess({ SWEEP_INTERVAL_MS: String(SWEEP_MS) }, { production: true });
    await Promise.all([web.start(), worker.started()]);
    let killed = 0;
    try {
      const load = shoppersAdding(web.url, products, 20);
      await sleep(1_500);
      const stopKillingAt = Date.now() + 4_000;
      while (Date.now() < stopKillingAt) {
        // Every connection of the app and the worker, mid-transaction or idle.
        const rows = await db().execute<{ killed: boolean }>(sql`
          select pg_terminate_backend(pid) as killed from pg_stat_activity
           where datname = current_database() and pid <> pg_backend_pid() and application_name = 'holdcart'`);
        killed += rows.length;
        await sleep(400);
      }
      const calmAt = Date.now();
      await sleep(4_000);
      await load.stop();

      expect(killed).toBeGreaterThan(0);
      expect(load.statuses["500"] ?? 0).toBe(0);
      expect(load.serverErrors.filter((e) => e.status !== 503)).toEqual([]);
      expect(load.okTimes.filter((t) => t > calmAt + 1_000).length).toBeGreaterThan(20);

      await sleep(4_000 + SWEEP_MS + 1_500);
      expect(await invariantViolations(SWEEP_MS)).toEqual([]);
      for (const id of products) expect((await countersOf(id)).reserved).toBe(0);
      recordFigures("Postgres connections terminated under load", {
        requests: total(load.statuses),
        statuses: load.statuses,
        connectionsKilled: killed,
        faultsInjected: killed,
        violations: 0,
      });
    } finally {
      await worker.stop();
      await web.stop();
    }
  });
});
