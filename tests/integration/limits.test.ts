import { describe, expect, it } from "vitest";
import { addToCart } from "@/lib/cart/mutations";
import { ShopError } from "@/lib/errors";
import { countersOf, createProduct } from "../support/ledger";

process.env.NEW_CARTS_PER_IP_PER_MINUTE = "3";

describe("hoarding limits", () => {
  it("a client address gets NEW_CARTS_PER_IP_PER_MINUTE new carts a minute, then 'rate_limited'; others are not affected", async () => {
    const productId = await createProduct(100);
    const hoarder = { cartId: null, clientIp: "203.0.113.50" };
    for (let i = 0; i < 3; i += 1) await addToCart(hoarder, productId, 1);
    const refused = await addToCart(hoarder, productId, 1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ShopError);
    expect((refused as ShopError).code).toBe("rate_limited");
    expect(await countersOf(productId)).toMatchObject({ available: 97, reserved: 3 });

    // The hoarder can still add to a cart they have; someone else can still start one.
    const { cartId } = await addToCart({ cartId: null, clientIp: "203.0.113.51" }, productId, 1);
    await addToCart({ cartId, clientIp: "203.0.113.50" }, productId, 1);
    expect(await countersOf(productId)).toMatchObject({ available: 95, reserved: 5 });
  });
});
