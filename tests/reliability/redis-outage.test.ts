import { afterAll, describe, expect, it } from "vitest";
import { recordFigures } from "../support/figures";
import { invariantViolations } from "../support/invariants";
import { activeCarts, countersOf, createProduct } from "../support/ledger";
import { shoppersAdding, total } from "../support/load";
import { freePort, RedisServer } from "../../scripts/harness/redis-server";
import { WebProcess } from "../../scripts/harness/web-process";
import { WorkerProcess } from "../../scripts/harness/worker-process";
import { setTestConfig } from "../support/config";
import { waitFor } from "../support/wait-for";

// A private Redis, stopped and started again (without persistence) while shoppers add.
const redisServer = new RedisServer(await freePort());
await redisServer.start();
setTestConfig({ REDIS_URL: redisServer.url, CART_TTL_SECONDS: "4" });
const TTL_MS = 4_000;
const SWEEP_MS = 500;

afterAll(() => redisServer.stop());

describe("Redis goes down under load", () => {
  it("the web answers 503 with a clear message while it is down, recovers by itself, and no hold leaks", async () => {
    const products = await Promise.all([createProduct(100_000), createProduct(100_000), createProduct(100_000)]);
    const web = new WebProcess({ SWEEP_INTERVAL_MS: String(SWEEP_MS) });
    const worker = new WorkerProcess({ SWEEP_INTERVAL_MS: String(SWEEP_MS) }, { production: true });
    await Promise.all([web.start(), worker.started()]);
    try {
      const load = shoppersAdding(web.url, products, 20);
      await waitFor(() => load.okTimes.length > 20, { timeout: 30_000, what: "the shoppers' first adds" });
      await redisServer.stop();
      const downAt = Date.now();
      // Down until shoppers have been refused 20 times (how they were told is checked below).
      await waitFor(() => load.serverErrors.length >= 20, { timeout: 30_000, what: "refusals while Redis is down" });
      await redisServer.start();
      const upAt = Date.now();
      await waitFor(() => load.okTimes.filter((t) => t > upAt + 1_000).length > 20, {
        timeout: 30_000,
        what: "adds served again after Redis came back",
      });
      await load.stop();

      // Down: refusals are 503s with the JSON error shape and a message; never a 500.
      expect(load.statuses["503"] ?? 0).toBeGreaterThan(0);
      expect(load.statuses["500"] ?? 0).toBe(0);
      for (const e of load.serverErrors.filter((x) => x.status === 503)) {
        expect(e.body).toMatchObject({
          error: { code: "service_unavailable", message: expect.stringMatching(/try again/) },
        });
      }
      expect(load.serverErrors.filter((e) => e.status !== 503)).toEqual([]);
      // Up again: the same web process serves adds again, by itself.
      expect(load.okTimes.filter((t) => t > upAt + 1_000).length).toBeGreaterThan(20);
      expect(load.okTimes.filter((t) => t < downAt).length).toBeGreaterThan(20);

      // Every hold ends, including those whose Redis keys vanished.
      await waitFor(async () => (await activeCarts()) === 0, {
        timeout: TTL_MS + SWEEP_MS + 30_000,
        what: "every hold to end",
      });
      expect(await invariantViolations(SWEEP_MS)).toEqual([]);
      for (const id of products) expect((await countersOf(id)).reserved).toBe(0);
      recordFigures("Redis stopped and restarted under load", {
        requests: total(load.statuses),
        statuses: load.statuses,
        outageMs: upAt - downAt,
        faultsInjected: 1,
        violations: 0,
      });
    } finally {
      await worker.stop();
      await web.stop();
    }
  });
});
