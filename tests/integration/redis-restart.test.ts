import { afterAll, describe, expect, it } from "vitest";
import { addToCart } from "@/lib/cart/mutations";
import { getCart } from "@/lib/cart/read";
import { createRedis } from "@/lib/redis/client";
import { countersOf, createProduct, ledgerViolations } from "../support/ledger";
import { freePort, RedisServer } from "../../scripts/harness/redis-server";
import { WorkerProcess } from "../../scripts/harness/worker-process";
import { setTestConfig } from "../support/config";

// A Redis of this file's own, restarted without persistence in the middle of the test.
const server = new RedisServer(await freePort());
await server.start();
// This scenario needs a single Redis of its own, even when the suite runs against a cluster.
setTestConfig({
  REDIS_CLUSTER_NODES: undefined,
  REDIS_URL: server.url,
  CART_TTL_SECONDS: "3",
});
const SWEEP_MS = 500;

afterAll(() => server.stop());

describe("Redis restarts without persistence while carts are live", () => {
  it("every hold still ends on time, the web rebuilds live carts, and the worker re-enables expiry events", async () => {
    const worker = new WorkerProcess({ SWEEP_INTERVAL_MS: String(SWEEP_MS) });
    try {
      await worker.started();
      const productId = await createProduct(40);
      const shopper = { cartId: null, clientIp: "198.51.100.11" };
      const cartIds: string[] = [];
      for (let i = 0; i < 10; i += 1) cartIds.push((await addToCart(shopper, productId, 2)).cartId);

      await server.stop();
      await server.start(); // empty: every cart key is gone, and no event will ever say so

      // A shopper reading their cart right after gets it back, rebuilt from the ledger.
      const rebuilt = await getCart(cartIds[0] as string);
      expect(rebuilt.items).toEqual([expect.objectContaining({ productId, quantity: 2 })]);

      await worker.waitFor(
        (lines) => cartIds.every((id) => lines.some((l) => l.event === "release" && l.cart === id)),
        3_000 + SWEEP_MS + 8_000,
      );
      const lags = worker.releases().map((r) => Number(r.lagMs));
      expect(Math.max(...lags)).toBeLessThanOrEqual(SWEEP_MS + 1_000);
      expect(await countersOf(productId)).toEqual({ onHand: 40, available: 40, reserved: 0, sold: 0 });
      expect(await ledgerViolations()).toEqual([]);

      const probe = createRedis(server.url, "test-probe");
      const [, flags] = (await probe.config("GET", "notify-keyspace-events")) as [string, string];
      probe.disconnect();
      expect(flags).toContain("E");
      expect(flags).toContain("x");
    } finally {
      await worker.stop();
    }
  });
});
