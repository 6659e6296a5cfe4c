import { afterAll, describe, expect, it } from "vitest";
import { addToCart } from "@/lib/cart/mutations";
import { countersOf, createProduct } from "../support/ledger";
import { freePort, RedisServer } from "../../scripts/harness/redis-server";
import { WorkerProcess } from "../../scripts/harness/worker-process";
import { setTestConfig } from "../support/config";

// Like a managed Redis: CONFIG is disabled, and keyspace events are off.
const server = new RedisServer(await freePort(), ["--rename-command", "CONFIG", ""]);
await server.start();
// This scenario needs a single Redis of its own, even when the suite runs against a cluster.
setTestConfig({
  REDIS_CLUSTER_NODES: undefined,
  REDIS_URL: server.url,
  CART_TTL_SECONDS: "2",
});
const SWEEP_MS = 500;

afterAll(() => server.stop());

describe("Redis refuses CONFIG", () => {
  it("the worker warns once and the sweeper alone releases on time", async () => {
    const worker = new WorkerProcess({ SWEEP_INTERVAL_MS: String(SWEEP_MS) });
    try {
      await worker.started();
      const productId = await createProduct(10);
      const shopper = { cartId: null, clientIp: "198.51.100.12" };
      const cartIds = [
        (await addToCart(shopper, productId, 1)).cartId,
        (await addToCart(shopper, productId, 2)).cartId,
      ];
      await worker.waitFor(
        (lines) => cartIds.every((id) => lines.some((l) => l.event === "release" && l.cart === id)),
        2_000 + 5_000,
      );

      const warnings = worker.lines.filter((l) => l.event === "keyspace_config_refused");
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: "warn", message: expect.stringMatching(/refuses CONFIG/) });
      for (const release of worker.releases()) {
        expect(release.path).toBe("sweep");
        expect(Number(release.lagMs)).toBeLessThanOrEqual(SWEEP_MS + 1_000);
      }
      expect(await countersOf(productId)).toMatchObject({ available: 10, reserved: 0 });
    } finally {
      await worker.stop();
    }
  });
});
