import { describe, expect, it } from "vitest";
import { addToCart } from "@/lib/cart/mutations";
import { getCart } from "@/lib/cart/read";
import { writeCartToRedis } from "@/lib/hold/redis-cart";
import { ShopError } from "@/lib/base/shop-error";
import { redis } from "@/lib/redis/client";
import { flushCartStore } from "../support/cart-store";
import { cartKeys } from "@/lib/redis/keys";
import { backdateCart, countersOf, createProduct, ledgerViolations } from "../support/ledger";

const shopper = (cartId: string | null = null) => ({ cartId, clientIp: "198.51.100.8" });

describe("expired holds and lost Redis data", () => {
  it("an expired, unreleased hold on the last unit does not stop the next shopper from getting it", async () => {
    const productId = await createProduct(1);
    const first = await addToCart(shopper(), productId, 1);
    await backdateCart(first.cartId); // its time ran out, and no worker has released it yet

    const second = await addToCart(shopper(), productId, 1);
    expect(second.cart.items).toEqual([expect.objectContaining({ productId, quantity: 1 })]);
    expect(await countersOf(productId)).toEqual({ onHand: 1, available: 0, reserved: 1, sold: 0 });
    expect((await getCart(first.cartId)).items).toEqual([]);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("fifty shoppers at once for ten units an overdue cart still holds: exactly ten of them get one", async () => {
    const productId = await createProduct(10);
    const hoarder = await addToCart(shopper(), productId, 10);
    await backdateCart(hoarder.cartId);
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => addToCart(shopper(), productId, 1)));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(10);
    expect(await countersOf(productId)).toEqual({ onHand: 10, available: 0, reserved: 10, sold: 0 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("Redis flushed while a cart is live: the next read returns the same cart with its remaining time", async () => {
    const productId = await createProduct(8);
    const { cartId, cart: before } = await addToCart(shopper(), productId, 3);
    await flushCartStore();

    const after = await getCart(cartId);
    expect(after.items).toEqual(before.items);
    expect(after.expiresAt).toBe(before.expiresAt);
    expect(after.ttlMs).toBeGreaterThan(0);
    expect(after.ttlMs).toBeLessThanOrEqual(before.ttlMs as number);
    // ...and it is back in Redis, so the read after that is served from Redis alone.
    expect(await redis().exists(cartKeys(cartId).session)).toBe(1);
    expect(await countersOf(productId)).toMatchObject({ available: 5, reserved: 3 });
  });

  it("a late Redis write of an older version never overwrites a newer cart", async () => {
    const productId = await createProduct(8);
    const { cartId } = await addToCart(shopper(), productId, 1);
    const second = await addToCart(shopper(cartId), productId, 1);
    // The first request's write arriving last, out of order:
    await writeCartToRedis({
      cartId,
      version: 1,
      expiresAtMs: Date.parse(second.cart.expiresAt as string),
      ttlMs: 60_000,
      extensionsUsed: 0,
      lines: [{ productId, quantity: 1 }],
    });
    expect((await getCart(cartId)).items[0]?.quantity).toBe(2);
  });

  it("a shopper returning with an expired cart gets a new one, and the old hold goes back", async () => {
    const productId = await createProduct(4);
    const old = await addToCart(shopper(), productId, 2);
    await backdateCart(old.cartId);
    const fresh = await addToCart(shopper(old.cartId), productId, 1);
    expect(fresh.created).toBe(true);
    expect(fresh.cartId).not.toBe(old.cartId);
    expect(await countersOf(productId)).toMatchObject({ available: 3, reserved: 1 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("changing an expired cart is refused as expired", async () => {
    const productId = await createProduct(4);
    const { cartId } = await addToCart(shopper(), productId, 1);
    await backdateCart(cartId);
    const { setLineQuantity } = await import("@/lib/cart/mutations");
    const error = await setLineQuantity(cartId, productId, 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShopError);
    expect((error as ShopError).code).toBe("cart_expired");
  });
});
