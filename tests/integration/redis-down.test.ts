import { describe, expect, it } from "vitest";
import { addToCart } from "@/lib/cart/mutations";
import { ShopError } from "@/lib/base/shop-error";
import { describeError } from "@/lib/http/error-response";
import { countersOf, createProduct, ledgerViolations } from "../support/ledger";
import { setTestConfig } from "../support/config";

// Nothing listens on port 1: every Redis call fails, as when Redis is down.
// This scenario needs a single Redis of its own, even when the suite runs against a cluster.
setTestConfig({ REDIS_CLUSTER_NODES: undefined, REDIS_URL: "redis://127.0.0.1:1/0" });

describe("Redis is down", () => {
  it("an add answers 503 and changes nothing in the ledger", async () => {
    const productId = await createProduct(5);
    const error = await addToCart({ cartId: null, clientIp: "198.51.100.9" }, productId, 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShopError);
    expect(describeError(error).status).toBe(503);
    expect(await countersOf(productId)).toEqual({ onHand: 5, available: 5, reserved: 0, sold: 0 });
    expect(await ledgerViolations()).toEqual([]);
  });
});
