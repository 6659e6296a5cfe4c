import { describe, expect, it } from "vitest";
import { addToCart } from "@/lib/cart/mutations";
import { ShopError } from "@/lib/base/shop-error";
import { redis } from "@/lib/redis/client";
import { countersOf, createProduct } from "../support/ledger";
import { setTestConfig } from "../support/config";

setTestConfig({ NEW_CARTS_PER_IP_PER_MINUTE: "3", HOLD_LIMITS: "on" });

const refusal = (work: Promise<unknown>) =>
  work.then(
    () => null,
    (e: unknown) => (e instanceof ShopError ? e.code : e),
  );

describe("hoarding limits", () => {
  it("a client gets NEW_CARTS_PER_IP_PER_MINUTE new carts a minute, then 'rate_limited'; others are not affected", async () => {
    const productId = await createProduct(100);
    const hoarder = { cartId: null, clientIp: "203.0.113.50" };
    for (let i = 0; i < 3; i += 1) await addToCart(hoarder, productId, 1);
    expect(await refusal(addToCart(hoarder, productId, 1))).toBe("rate_limited");
    expect(await countersOf(productId)).toMatchObject({ available: 97, reserved: 3 });

    // The hoarder can still add to a cart they have; someone else can still start one.
    const { cartId } = await addToCart({ cartId: null, clientIp: "203.0.113.51" }, productId, 1);
    await addToCart({ cartId, clientIp: "203.0.113.50" }, productId, 1);
    expect(await countersOf(productId)).toMatchObject({ available: 95, reserved: 5 });
  });

  it("the new-cart window slides: an event is refused until the oldest admitted one is a full window old", async () => {
    const key = `ratelimit:test:{${Date.now()}}`;
    const admit = async () => (await redis().admitInWindow(key, 2_000, 3, String(Math.random()))) === 1;
    const firstAdmitted = Date.now();
    expect([await admit(), await admit(), await admit()]).toEqual([true, true, true]);
    // A fixed window would admit again as soon as its boundary passed; this one never does early.
    expect(await admit()).toBe(false);
    while (!(await admit())) await new Promise((r) => setTimeout(r, 50));
    expect(Date.now() - firstAdmitted).toBeGreaterThanOrEqual(1_900);
    expect(await redis().zcard(key)).toBeLessThanOrEqual(3);
  });
});
