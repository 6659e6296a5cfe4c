import { afterAll, describe, expect, it } from "vitest";
import { recordFigures } from "../support/figures";
import { invariantViolations } from "../support/invariants";
import { countersOf, createProduct } from "../support/ledger";
import { shoppersAdding, sleep, total } from "../support/load";
import { freePort, RedisServer } from "../../scripts/harness/redis-server";
import { WebProcess } from "../../scripts/harness/web-process";
import { WorkerProcess } from "../../scripts/harness/worker-process";
import { setTestConfig } from "../support/config";

// A private Redis, stopped and started again (without persistence) while shoppers add.
const redisServer = new RedisServer(await freePort());
await redisServer.start();
setTestConfig({ REDIS_URL: redisServer.url, CART_TTL_SECONDS: "4" });
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
      await sleep(2_000);
      await redisServer.stop();
      const downAt = Date.now();
      await sleep(3_000);
      await redisServer.start();
      const upAt = Date.now();
      await sleep(4_000);
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

      // Every hold, including those whose Redis keys vanished, ends on time.
      await sleep(4_000 + SWEEP_MS + 1_500);
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
