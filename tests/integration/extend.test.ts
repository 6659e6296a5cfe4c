import { describe, expect, it } from "vitest";
import { extendHold } from "@/lib/cart/extend";
import { addToCart } from "@/lib/cart/mutations";
import { getCart, readCartFromLedger } from "@/lib/cart/read";
import { ShopError } from "@/lib/base/shop-error";
import { redis } from "@/lib/redis/client";
import { cartKeys } from "@/lib/redis/keys";
import { backdateCart, countersOf, createProduct, ledgerViolations } from "../support/ledger";
import { setTestConfig } from "../support/config";

// Short holds, so an extension visibly moves the deadline; two extensions at most.
setTestConfig({ CART_TTL_SECONDS: "60", MAX_HOLD_EXTENSIONS: "2" });

const shopper = { cartId: null, clientIp: "198.51.100.40" };
const refusal = (work: Promise<unknown>) =>
  work.then(
    () => null,
    (e: unknown) => (e instanceof ShopError ? { code: e.code, ...e.details } : e),
  );

describe("keeping a hold longer (WCAG 2.2.1)", () => {
  it("moves the deadline to now + CART_TTL_SECONDS in Postgres and Redis, then refuses past MAX_HOLD_EXTENSIONS", async () => {
    const productId = await createProduct(5);
    const { cartId } = await addToCart(shopper, productId, 2);
    // Twenty seconds of the hold have gone by: 40 s left, by the ledger.
    await backdateCart(cartId, -40_000);
    const before = await readCartFromLedger(cartId);

    const extended = await extendHold(cartId);
    expect(Date.parse(extended.expiresAt ?? "")).toBeGreaterThan((before?.expiresAtMs ?? Infinity) + 15_000);
    expect(extended.items).toEqual([expect.objectContaining({ productId, quantity: 2 })]);
    // The countdown (Redis PTTL) follows the new deadline.
    expect(await redis().pttl(cartKeys(cartId).session)).toBeGreaterThan(55_000);
    expect((await getCart(cartId)).expiresAt).toBe(extended.expiresAt);

    await extendHold(cartId);
    expect(await refusal(extendHold(cartId))).toMatchObject({
      code: "extension_refused",
      reason: "limit",
      maxHoldExtensions: 2,
    });
    // Nothing about the stock moved.
    expect(await countersOf(productId)).toMatchObject({ available: 3, reserved: 2 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("refuses a cart whose time is up, or none at all", async () => {
    const productId = await createProduct(5);
    const { cartId } = await addToCart(shopper, productId, 1);
    await backdateCart(cartId);
    expect(await refusal(extendHold(cartId))).toMatchObject({ code: "cart_expired" });
    expect(await refusal(extendHold(null))).toMatchObject({ code: "cart_not_found" });
    expect(await refusal(extendHold("00000000-0000-4000-8000-000000000000"))).toMatchObject({ code: "cart_not_found" });
  });
});
