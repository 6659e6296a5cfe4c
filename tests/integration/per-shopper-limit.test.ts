import { describe, expect, it } from "vitest";
import { updateProductSettings } from "@/lib/catalog/product-settings";
import { addToCart } from "@/lib/cart/mutations";
import { ShopError } from "@/lib/base/shop-error";
import { joinWaitlist } from "@/lib/waitlist/entries";
import { countersOf, createProduct, ledgerViolations } from "../support/ledger";
import { setTestConfig } from "../support/config";

// Invariant 9 per product: the product's limit, across a client's carts and line entries.
setTestConfig({ HOLD_LIMITS: "on", NEW_CARTS_PER_IP_PER_MINUTE: "0", MAX_QTY_PER_LINE: "10" });

const refusalOf = (work: Promise<unknown>) =>
  work.then(
    () => null,
    (e: unknown) => (e instanceof ShopError ? { code: e.code, message: e.message } : e),
  );

describe("a product's limit per shopper", () => {
  it("a limit of 1 refuses the second unit, in another cart or the same, saying the limit", async () => {
    const productId = await createProduct(10);
    expect((await updateProductSettings(productId, { perShopperLimit: 1 })).perShopperLimit).toBe(1);
    const client = "203.0.113.70";
    const first = await addToCart({ cartId: null, clientIp: client }, productId, 1);
    expect(await refusalOf(addToCart({ cartId: null, clientIp: client }, productId, 1))).toEqual({
      code: "hold_limit",
      message: "Limit 1 per shopper: you already hold 1 of this item in your carts.",
    });
    expect(await refusalOf(addToCart({ cartId: first.cartId, clientIp: client }, productId, 1))).toMatchObject({
      code: "hold_limit",
    });
    // Asking for 2 at once with nothing held yet.
    expect(await refusalOf(addToCart({ cartId: null, clientIp: "198.51.100.70" }, productId, 2))).toEqual({
      code: "hold_limit",
      message: "Limit 1 per shopper.",
    });
    // Someone else gets their one; the ledger saw only the holds granted.
    await addToCart({ cartId: null, clientIp: "198.51.100.71" }, productId, 1);
    expect(await countersOf(productId)).toMatchObject({ available: 8, reserved: 2 });

    // Lifted (null): MAX_QTY_PER_LINE again, and the first shopper may take more.
    expect((await updateProductSettings(productId, { perShopperLimit: null })).perShopperLimit).toBe(10);
    await addToCart({ cartId: first.cartId, clientIp: client }, productId, 4);
    expect(await countersOf(productId)).toMatchObject({ available: 4, reserved: 6 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("joining the line counts what the shopper holds and already waits for", async () => {
    const productId = await createProduct(2);
    await updateProductSettings(productId, { perShopperLimit: 1 });
    const holder = { waiterId: crypto.randomUUID(), clientKey: "203.0.113.72", cartId: null as string | null };
    holder.cartId = (await addToCart({ cartId: null, clientIp: holder.clientKey }, productId, 1)).cartId;
    await addToCart({ cartId: null, clientIp: "198.51.100.73" }, productId, 1); // sold out now
    // Holding it, they cannot wait for it too (invariant 8: it would come back to them).
    expect(await refusalOf(joinWaitlist(holder, productId, 1))).toMatchObject({ code: "already_holding" });
    // Nor can another browser at the same address, which holds nothing itself: the refusal says
    // whose cart it is, not "your cart".
    const sameNetwork = { waiterId: crypto.randomUUID(), clientKey: holder.clientKey, cartId: null };
    expect(await refusalOf(joinWaitlist(sameNetwork, productId, 1))).toEqual({
      code: "already_holding",
      message:
        "A cart from your network already holds it, and this store counts a network as one shopper: one shopper cannot wait for what it holds.",
    });
    const other = { waiterId: crypto.randomUUID(), clientKey: "198.51.100.74", cartId: null };
    expect(await refusalOf(joinWaitlist(other, productId, 2))).toEqual({
      code: "hold_limit",
      message: "Limit 1 per shopper.",
    });
    expect(await refusalOf(joinWaitlist(other, productId, 1))).toBeNull();
    // The same client under another waiter cookie: its place in line counts.
    expect(await refusalOf(joinWaitlist({ ...other, waiterId: crypto.randomUUID() }, productId, 1))).toEqual({
      code: "hold_limit",
      message: "Limit 1 per shopper: you already hold or wait for 1 of this item.",
    });
  });

  it("the operator's limit is a whole number from 1 to MAX_QTY_PER_LINE, on a product that exists", async () => {
    const productId = await createProduct(1);
    await expect(updateProductSettings(productId + 1_000_000, { perShopperLimit: 1 })).rejects.toMatchObject({
      code: "not_found",
    });
    // The database refuses what the route's validation would (products_per_shopper_limit_positive).
    await expect(updateProductSettings(productId, { perShopperLimit: 0 })).rejects.toThrow();
  });
});
