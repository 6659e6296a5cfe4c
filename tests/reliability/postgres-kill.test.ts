import { sql } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { recordFigures } from "../support/figures";
import { invariantViolations } from "../support/invariants";
import { activeCarts, countersOf, createProduct } from "../support/ledger";
import { shoppersAdding, sleep, total } from "../support/load";
import { WebProcess } from "../../scripts/harness/web-process";
import { WorkerProcess } from "../../scripts/harness/worker-process";
import { setTestConfig } from "../support/config";
import { waitFor } from "../support/wait-for";

setTestConfig({ CART_TTL_SECONDS: "4" });
const TTL_MS = 4_000;
const SWEEP_MS = 500;
const KILL_ROUNDS = 10;

/**
 * Connections whose statement waits on its client mid-protocol (parsed, never bound): how a
 * postgres.js connection desynchronised by a kill looks from the server; its transaction stays
 * open and the adds queued behind it never end.
 */
async function stuckStatements(): Promise<string> {
  const rows = await db().execute<{ pid: number; for: string; query: string }>(sql`
    select pid, (now() - state_change)::text as for, left(query, 80) as query from pg_stat_activity
     where datname = current_database() and state = 'active' and wait_event = 'ClientRead'`);
  return `statements waiting on their client: ${JSON.stringify(rows)}`;
}

describe("Postgres connections are killed under load", () => {
  it("the web answers 503 (never 500) while its connections die, recovers, and the ledger stays sound", async () => {
    const products = await Promise.all([createProduct(100_000), createProduct(100_000)]);
    const web = new WebProcess({ SWEEP_INTERVAL_MS: String(SWEEP_MS) });
    const worker = new WorkerProcess({ SWEEP_INTERVAL_MS: String(SWEEP_MS) }, { production: true });
    await Promise.all([web.start(), worker.started()]);
    let killed = 0;
    // The fault's own connection, named apart: this process's pool is named "holdcart" too, so a
    // round run on it could be sent on a connection the round before had just terminated.
    const killer = postgres(process.env.DATABASE_URL as string, {
      max: 1,
      onnotice: () => {},
      connection: { application_name: "holdcart-fault" },
    });
    try {
      const load = shoppersAdding(web.url, products, 20);
      await waitFor(() => load.okTimes.length >= 20, { timeout: 30_000, what: "the shoppers' first adds" });
      // The fault, on its own schedule: every connection of the app and the worker, mid-transaction
      // or idle, terminated every 400 ms, ten times.
      for (let round = 0; round < KILL_ROUNDS; round += 1) {
        if (round > 0) await sleep(400);
        const rows = await killer<{ killed: boolean }[]>`
          select pg_terminate_backend(pid) as killed from pg_stat_activity
           where datname = current_database() and application_name = 'holdcart'`;
        killed += rows.length;
      }
      const calmAt = Date.now();
      // Recovered by itself: the same web serves adds again, from a second after the last kill.
      await waitFor(() => load.okTimes.filter((t) => t > calmAt + 1_000).length > 20, {
        timeout: 30_000,
        what: "adds served again after the kills",
      }).catch(async (error: Error) => {
        throw new Error(`${error.message}\nstatuses: ${JSON.stringify(load.statuses)}\n${await stuckStatements()}`);
      });
      await load.stop();

      expect(killed).toBeGreaterThan(0);
      expect(load.statuses["500"] ?? 0).toBe(0);
      expect(load.serverErrors.filter((e) => e.status !== 503)).toEqual([]);
      expect(load.okTimes.filter((t) => t > calmAt + 1_000).length).toBeGreaterThan(20);

      // Every hold ends, those whose release a kill interrupted too: no hold leaks.
      await waitFor(async () => (await activeCarts()) === 0, {
        timeout: TTL_MS + SWEEP_MS + 30_000,
        what: "every hold to end",
      });
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
      await killer.end();
      await worker.stop();
      await web.stop();
    }
  });
});
